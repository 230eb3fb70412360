// The pod identity of spec/ace.md's identity endpoint: HMAC-SHA512 with a key the
// service draws for each pod and never hands out, signatures in base64.
#pragma once

#include <string>
#include <string_view>

namespace pod::mds {

constexpr size_t kKeyBytes = 64;    // SHA-512's block size: a longer key would be hashed first
constexpr size_t kTokenBytes = 32;  // 256 bits; the spec asks for no fewer than 128

// Bytes from OpenSSL's CSPRNG; throws Error when it cannot deliver.
[[nodiscard]] std::string random_bytes(size_t n);
// A URL-safe secret: kTokenBytes random bytes in hex.
[[nodiscard]] std::string new_token();

[[nodiscard]] std::string hmac_sha512(std::string_view key, std::string_view data);
[[nodiscard]] std::string base64(std::string_view bytes);
// Compares in time that depends on the lengths only.
[[nodiscard]] bool equal_secret(std::string_view a, std::string_view b);

}  // namespace pod::mds
