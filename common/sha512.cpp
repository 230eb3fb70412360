#include "common/sha512.hpp"

// The low-level SHA-512 functions, not EVP: in OpenSSL 3 the first EVP digest loads and
// initialises the provider machinery (5.2 M instructions, 29% of `pod prepare` of a
// stored image, which hashes a few bytes for a tree ID); these go straight to the same
// implementation. They are deprecated in OpenSSL 3 but present.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <fcntl.h>
#include <openssl/sha.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pod {

struct Sha512::Impl {
  SHA512_CTX ctx{};
};

Sha512::Sha512() : impl_(std::make_unique<Impl>()) {
  if (SHA512_Init(&impl_->ctx) != 1) throw Error("initialising SHA-512");
}
Sha512::~Sha512() = default;
Sha512::Sha512(Sha512&&) noexcept = default;
Sha512& Sha512::operator=(Sha512&&) noexcept = default;

void Sha512::update(const void* data, size_t size) {
  if (SHA512_Update(&impl_->ctx, data, size) != 1) throw Error("hashing with SHA-512");
}

std::string Sha512::hex_digest() {
  unsigned char md[SHA512_DIGEST_LENGTH];
  const unsigned len = SHA512_DIGEST_LENGTH;
  if (SHA512_Final(md, &impl_->ctx) != 1) throw Error("finishing SHA-512");
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

std::string sha512_hex(std::string_view data) {
  Sha512 h;
  h.update(data);
  return h.hex_digest();
}

std::string sha512_file_hex(const std::string& path) {
  UniqueFd fd = open_fd(path, O_RDONLY);
  Sha512 h;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("reading " + path);
    }
    if (n == 0) break;
    h.update(buf, static_cast<size_t>(n));
  }
  return h.hex_digest();
}

}  // namespace pod
