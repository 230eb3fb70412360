#include <cstring>

#include "aci/archive.hpp"
#include "common/error.hpp"

namespace pod::aci {

namespace {

bool has_prefix(const unsigned char* head, size_t n, const unsigned char* magic, size_t m) {
  return n >= m && std::memcmp(head, magic, m) == 0;
}

}  // namespace

Compression detect_compression(const unsigned char* head, size_t n) {
  static constexpr unsigned char gzip[] = {0x1f, 0x8b};
  static constexpr unsigned char bzip2[] = {'B', 'Z', 'h'};
  static constexpr unsigned char xz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  static constexpr unsigned char zstd[] = {0x28, 0xb5, 0x2f, 0xfd};
  if (has_prefix(head, n, gzip, sizeof gzip)) return Compression::gzip;
  if (has_prefix(head, n, bzip2, sizeof bzip2)) return Compression::bzip2;
  if (has_prefix(head, n, xz, sizeof xz)) return Compression::xz;
  if (has_prefix(head, n, zstd, sizeof zstd)) return Compression::zstd;
  return Compression::none;
}

std::string compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "none";
    case Compression::gzip: return "gzip";
    case Compression::bzip2: return "bzip2";
    case Compression::xz: return "xz";
    case Compression::zstd: return "zstd";
  }
  return "unknown";
}

Compression parse_compression(std::string_view name) {
  for (Compression c : {Compression::none, Compression::gzip, Compression::bzip2, Compression::xz,
                        Compression::zstd})
    if (name == compression_name(c)) return c;
  throw UsageError("unknown compression \"" + std::string(name) + "\"", 0,
                   "use one of none, gzip, bzip2, xz, zstd");
}

}  // namespace pod::aci
