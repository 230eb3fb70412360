// Fuzzes the OpenPGP public key reader (aci/openpgp_keys.hpp), which `pod trust list` runs
// over every file of the trust directories: no input may crash it or read out of bounds
// (AddressSanitizer), a failure is a pod::Error naming the file, and every key it returns
// has a 40-digit lower-case hex fingerprint and at least one user ID.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aci/openpgp_keys.hpp"
#include "common/error.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& key : pod::aci::summarize_public_keys(input, "/fuzz/key")) {
      if (key.fingerprint.size() != 40 ||
          key.fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos)
        fail("bad fingerprint", key.fingerprint);
      if (key.uids.empty()) fail("a key without user IDs was returned", key.fingerprint);
    }
  } catch (const pod::Error& e) {
    if (std::string_view(e.what()).rfind("/fuzz/key: ", 0) != 0) fail("error not naming the file", e.what());
  }
  return 0;
}
