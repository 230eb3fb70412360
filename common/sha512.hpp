// Streaming SHA-512 (OpenSSL), as appc image IDs are computed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pod {

class Sha512 {
 public:
  Sha512();
  ~Sha512();
  Sha512(const Sha512&) = delete;
  Sha512& operator=(const Sha512&) = delete;
  Sha512(Sha512&&) noexcept;
  Sha512& operator=(Sha512&&) noexcept;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Lower-case hex of the digest; the hasher cannot be updated afterwards.
  [[nodiscard]] std::string hex_digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

[[nodiscard]] std::string sha512_hex(std::string_view data);
// Hex digest of a whole file.
[[nodiscard]] std::string sha512_file_hex(const std::string& path);

}  // namespace pod
