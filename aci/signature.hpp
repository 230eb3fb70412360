// Detached OpenPGP signatures of ACIs, checked with gpgme against a keyring made of
// exactly the keys the caller trusts for the image's prefix (nothing from the user's
// own ~/.gnupg is consulted). Every refusal names the image, the prefix searched and,
// where known, the key's fingerprint, and says which case it is: no trusted key,
// a key not trusted for the prefix, a bad signature, an expired or revoked key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace pod::aci {

// A public key as the trust store holds it.
struct TrustedKey {
  std::string fingerprint;  // lower-case hex, as the key file is named
  std::string data;         // armoured (or binary) OpenPGP public key
  std::string path;         // where it came from, for messages
};

// What a key file holds, for `pod trust` to show before storing it.
struct PublicKeyInfo {
  std::string fingerprint;  // lower-case hex of the primary key
  std::vector<std::string> uids;
  std::vector<std::string> subkey_fingerprints;
  int64_t expires = 0;  // unix seconds, 0 for never
  bool expired = false;
  bool revoked = false;
  std::string armored;  // this key alone, ASCII armoured, ready to be stored
};

// Every public key in `key_data` (armoured or binary; a file may hold several).
// Throws Error naming `source` when it holds none.
[[nodiscard]] std::vector<PublicKeyInfo> read_public_keys(std::string_view key_data,
                                                          const std::string& source);

// The same for many keys at once, without `armored`: one gpg run listing them from the data
// (nothing imported) whatever their number, where read_public_keys costs two per key. Keys
// that do not parse are left out; an empty result is not an error.
[[nodiscard]] std::vector<PublicKeyInfo> list_public_keys(std::string_view key_data,
                                                          const std::string& source);

// "AAAA BBBB CCCC ..." groups of four upper-case digits, as gpg shows fingerprints.
[[nodiscard]] std::string format_fingerprint(std::string_view fingerprint);

struct SignatureCheck {
  std::string fingerprint;  // of the signing (primary) key
  std::string uid;          // its first user ID
};

// Which failure a SignatureError is, for callers (and tests) that tell them apart.
enum class SignatureFailure {
  no_trusted_keys,  // nothing is trusted for the prefix
  untrusted_key,    // signed by a key not in the keyring for the prefix
  bad_signature,    // the content does not match the signature
  expired_key,
  revoked_key,
  expired_signature,
  malformed,  // not an OpenPGP signature
};

class SignatureError : public pod::Error {
 public:
  SignatureError(SignatureFailure failure, std::string message, std::string hint = {})
      : pod::Error(std::move(message), 0, std::move(hint)), failure_(failure) {}
  [[nodiscard]] SignatureFailure failure() const noexcept { return failure_; }

 private:
  SignatureFailure failure_;
};

// Checks `signature` (ASCII armoured or binary) over the bytes of `signed_fd`, read
// from offset 0, against `keys`. `image` names the image and `prefix` the trust prefix
// searched, both for messages. Returns the signer or throws SignatureError.
[[nodiscard]] SignatureCheck verify_detached_signature(int signed_fd, std::string_view signature,
                                                       const std::vector<TrustedKey>& keys,
                                                       std::string_view image,
                                                       std::string_view prefix);

struct SignedMessage {
  std::string plaintext;  // the content inside the signature
  SignatureCheck signer;
};

// Checks an OpenPGP *signed message* (gpg --sign: the content travels inside the
// signature, as in containers/image's simple signing) against `keys`, with the same
// isolation and refusals as verify_detached_signature; `what` names it in messages
// ("signature https://..."). Returns the content and the signer or throws SignatureError.
[[nodiscard]] SignedMessage verify_signed_message(std::string_view message, const std::vector<TrustedKey>& keys,
                                                  std::string_view what, std::string_view prefix);

}  // namespace pod::aci
