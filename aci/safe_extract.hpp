// The extraction policy for ACI entries (internal to aci/). Every entry is checked
// against a model of the tree built so far (so `pod image validate` refuses what an
// extraction would), then, when a target is given, created relative to directory fds
// without ever following a symlink. See ExtractOptions for what is restored.
#pragma once

#include <archive_entry.h>
#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "aci/archive.hpp"
#include "aci/entry_path.hpp"
#include "common/fd.hpp"

namespace pod::aci {

// Reads the current entry's next data block; false at its end. Throws on a read error.
using ReadBlock = std::function<bool(const void*& buf, size_t& size, int64_t& offset)>;

inline constexpr size_t kMaxManifestSize = 1 << 20;

class SafeExtractor {
 public:
  // target_dirfd < 0: check only, nothing is written.
  SafeExtractor(int target_dirfd, const ExtractOptions& opts);

  // Checks and (when extracting) creates one entry; reads its data through `read`.
  void add(archive_entry* entry, const ReadBlock& read);
  // After the last entry: applies the directory modes and times held back so far, writes
  // the manifest file (whole-ACI extraction), and returns the manifest text. Throws when
  // the archive had no manifest.
  [[nodiscard]] std::string finish();

  [[nodiscard]] uint64_t skipped_device_nodes() const noexcept { return skipped_devices_; }
  [[nodiscard]] bool has_manifest() const noexcept { return have_manifest_; }
  // The parsed manifest; valid once has_manifest().
  [[nodiscard]] const ImageManifest& manifest() const noexcept { return manifest_; }

 private:
  enum class Kind : uint8_t { directory, regular, symlink, other };
  struct DirMeta {
    mode_t mode = 0755;
    struct timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  };

  void add_manifest(archive_entry* e, const ReadBlock& read);
  void check_parents(const std::string& rel);
  void forget_subtree(const std::string& rel);
  // The cached parent fd stays valid unless its directory is removed.
  void drop_cached_parent_under(const std::string& rel);
  void create(const std::string& rel, archive_entry* e, Kind kind, const ReadBlock& read);
  void create_regular(int parent, const std::string& leaf, const std::string& rel,
                      archive_entry* e, const ReadBlock& read);
  void create_hardlink(int parent, const std::string& leaf, const std::string& target_rel);
  void restore_xattrs(int fd, const std::string& proc_path, archive_entry* e,
                      const std::string& rel);
  void remove_existing(int parent, const std::string& leaf, bool new_is_dir, const std::string& rel);
  int parent_fd(const std::string& parent_rel);
  [[nodiscard]] bool extracting() const noexcept { return rootfs_fd_.valid(); }

  ExtractOptions opts_;
  PathWhitelist whitelist_;
  bool as_root_;
  UniqueFd target_fd_;
  UniqueFd rootfs_fd_;
  std::string cached_parent_;
  UniqueFd cached_parent_fd_;
  std::map<std::string, Kind> tree_;  // what exists below rootfs, as the entries made it
  std::set<std::string> excluded_files_;  // regular files dropped by pathWhitelist
  std::map<std::string, DirMeta> dir_meta_;
  bool have_manifest_ = false;
  std::string manifest_text_;
  ImageManifest manifest_;
  uint64_t skipped_devices_ = 0;
};

}  // namespace pod::aci
