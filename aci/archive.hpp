// ACI archives (appc spec: a tar of "manifest" and "rootfs/"), read and written with
// libarchive. Reading is one streaming pass: the input is decompressed once, the
// uncompressed tar is hashed (the image ID), the manifest is validated, the tree is
// extracted safely, and the raw input bytes can be teed to a sink (the store's blob).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "aci/manifest.hpp"

namespace pod::aci {

enum class Compression { none, gzip, bzip2, xz, zstd };

// From the first bytes of the content (magic numbers), never from a file name.
[[nodiscard]] Compression detect_compression(const unsigned char* head, size_t n);
[[nodiscard]] std::string compression_name(Compression c);
// "none", "gzip", "bzip2", "xz", "zstd"; throws UsageError otherwise.
[[nodiscard]] Compression parse_compression(std::string_view name);

struct ExtractOptions {
  // Extract only rootfs/ (its contents land directly in the target) instead of the whole ACI.
  bool rootfs_only = false;
  // Device nodes, owners and xattrs are restored only when running as root; as a user
  // device nodes are skipped with a warning-free count in the result.
  bool allow_device_nodes = true;
  bool preserve_owners = true;
  // When non-empty, only these paths (absolute, relative to rootfs) are kept (spec: pathWhitelist).
  std::vector<std::string> path_whitelist;
  // Refuse archives whose uncompressed content exceeds this many bytes (0: no limit).
  uint64_t max_uncompressed_size = 0;
};

struct AciReadOptions {
  int extract_dirfd = -1;  // extract into this directory (must be empty); -1: only read
  ExtractOptions extract;
  // Receives every byte of the input exactly as read (still compressed).
  std::function<void(const void* data, size_t size)> raw_sink;
  // Called now and then with the number of input bytes consumed so far.
  std::function<void(uint64_t bytes_read)> progress;
  // Stop once the manifest entry has been read and validated: no image ID, no extraction
  // (for showing a manifest without reading a whole image).
  bool manifest_only = false;
};

struct AciInfo {
  ImageManifest manifest;
  std::string manifest_text;
  std::string image_id;  // "sha512-" + 128 hex digits of the uncompressed tar
  Compression compression = Compression::none;
  uint64_t uncompressed_size = 0;
  uint64_t compressed_size = 0;
  // Device nodes left out of the extraction (not root, or allow_device_nodes false).
  uint64_t skipped_device_nodes = 0;
};

// Reads (and optionally extracts) a whole ACI from `fd`. `source` names it in errors
// ("reading ACI /x/y.aci: ..."). Throws Error/ValidationError; on error nothing is left
// outside the target directory, and the caller discards the target.
[[nodiscard]] AciInfo read_aci(int fd, const std::string& source, const AciReadOptions& opts = {});
[[nodiscard]] AciInfo read_aci_file(const std::string& path, const AciReadOptions& opts = {});

struct WriteOptions {
  Compression compression = Compression::gzip;
  bool overwrite = false;
};

// Builds an ACI from DIR (holding "manifest" and "rootfs/") into `out` atomically
// (temp file + rename). The manifest is validated first. Returns what read_aci would.
AciInfo write_aci(const std::string& dir, const std::string& out, const WriteOptions& opts);

}  // namespace pod::aci
