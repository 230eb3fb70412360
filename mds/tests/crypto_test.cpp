#include <doctest/doctest.h>

#include "mds/crypto.hpp"

using namespace pod::mds;

namespace {
std::string hex(const std::string& s) {
  static constexpr char k[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {k[c >> 4], k[c & 15]};
  return out;
}
}  // namespace

TEST_CASE("HMAC-SHA512 matches RFC 4231 test case 2") {
  CHECK(hex(hmac_sha512("Jefe", "what do ya want for nothing?")) ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST_CASE("base64 as RFC 4648") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64(hmac_sha512("k", "x")).size() == 88);
}

TEST_CASE("tokens and keys are fresh each time") {
  CHECK(new_token().size() == 2 * kTokenBytes);
  CHECK(new_token() != new_token());
  CHECK(random_bytes(kKeyBytes) != random_bytes(kKeyBytes));
  CHECK(equal_secret("abc", "abc"));
  CHECK_FALSE(equal_secret("abc", "abd"));
  CHECK_FALSE(equal_secret("abc", "abcd"));
}
