// Verifying an OpenPGP *signed message* (gpg --sign, the data inside the signature), as
// simple-signing signatures are, against exactly the keys trusted for a prefix, in a
// throw-away gpg home (the same isolation aci/signature uses for detached signatures).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aci/signature.hpp"

namespace pod::fetch {

struct OpaqueVerified {
  std::string plaintext;    // the signed content
  std::string fingerprint;  // the signing primary key
  std::string uid;
};

// Throws aci::SignatureError (untrusted_key, bad_signature, malformed...) naming `what`.
[[nodiscard]] OpaqueVerified verify_signed_message(std::string_view message,
                                                   const std::vector<aci::TrustedKey>& keys,
                                                   const std::string& what,
                                                   const std::string& prefix);

}  // namespace pod::fetch
