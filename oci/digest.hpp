// Content digests as the OCI image spec writes them ("sha256:<64 hex>"), and a
// streaming SHA-256 to check blobs against them while they are read.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pod::oci {

struct Digest {
  std::string algorithm;  // "sha256" or "sha512"
  std::string hex;        // lower-case, 64 or 128 digits
  [[nodiscard]] std::string str() const { return algorithm + ":" + hex; }
  friend bool operator==(const Digest&, const Digest&) = default;
};

// Throws Error naming `what` unless `text` is sha256:<64 lower hex> or sha512:<128 lower hex>.
[[nodiscard]] Digest parse_digest(std::string_view text, std::string_view what = "digest");
[[nodiscard]] bool is_digest(std::string_view text);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // "sha256:<hex>"; the hasher cannot be updated afterwards.
  [[nodiscard]] std::string digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "sha256:<hex>" of the bytes.
[[nodiscard]] std::string sha256_digest(std::string_view data);

}  // namespace pod::oci
