// Reading OpenPGP public key files (RFC 4880) without gpg: the fingerprint of each primary
// key and its user IDs, for listings. `pod trust list` of 1,000 keys took 3.7 s through gpg,
// which checks every self-signature; a listing only needs the packets' contents.
// Nothing here verifies a signature: a key is trusted because it is in the trust store,
// and images are still checked by gpg (aci/signature.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pod::aci {

struct OpenPgpKeySummary {
  std::string fingerprint;         // lower-case hex (40 digits, v4 keys)
  std::vector<std::string> uids;   // the user IDs the key certified, primary first (as gpg lists them)
};

// Every primary key in `data` (ASCII armoured, possibly several blocks, or binary packets).
// Throws Error naming `source` and what is wrong (truncated packet, bad base64 or CRC,
// unsupported key version, no public key) for anything else; never reads out of bounds.
[[nodiscard]] std::vector<OpenPgpKeySummary> summarize_public_keys(std::string_view data,
                                                                   const std::string& source);

// The binary packets of ASCII-armoured data (every PUBLIC KEY BLOCK, concatenated), or
// `data` itself when it is binary already. Throws Error naming `source`.
[[nodiscard]] std::string dearmor_public_keys(std::string_view data, const std::string& source);

}  // namespace pod::aci
