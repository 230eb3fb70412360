#include "oci/digest.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "common/error.hpp"

namespace pod::oci {

namespace {

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool is_digest(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view alg = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  size_t want = alg == "sha256" ? 64 : alg == "sha512" ? 128 : 0;
  return want != 0 && hex.size() == want && lower_hex(hex);
}

Digest parse_digest(std::string_view text, std::string_view what) {
  if (!is_digest(text))
    throw Error(std::string(what) + " \"" + std::string(text.substr(0, 200)) +
                    "\" is not a digest",
                0, "a digest is sha256: followed by 64 lower-case hex digits");
  auto colon = text.find(':');
  return Digest{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw Error("initialising SHA-256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  if (EVP_DigestUpdate(impl_->ctx, data, size) != 1) throw Error("hashing with SHA-256");
}

std::string Sha256::digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1) throw Error("finishing SHA-256");
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

std::string sha256_digest(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.digest();
}

}  // namespace pod::oci
