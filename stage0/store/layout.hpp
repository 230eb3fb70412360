// Where things live under <data_dir>/cas, and the checks that keep names coming
// from outside (image IDs, tree IDs) from ever naming another path.
#pragma once

#include <string>
#include <string_view>

namespace pod::store {

inline constexpr std::string_view kIdPrefix = "sha512-";
inline constexpr std::string_view kTreePrefix = "deps-sha512-";
inline constexpr size_t kHexLen = 128;

// "sha512-" + 128 lower-case hex digits.
[[nodiscard]] bool is_full_image_id(std::string_view id);
// "deps-sha512-" + 128 lower-case hex digits.
[[nodiscard]] bool is_tree_id(std::string_view id);
// Throws Error naming the ID unless it is a full image ID.
void require_full_image_id(std::string_view id);

struct Layout {
  std::string cas;  // <data_dir>/cas

  [[nodiscard]] std::string db() const { return cas + "/db"; }
  [[nodiscard]] std::string blobs() const { return cas + "/blob/sha512"; }
  [[nodiscard]] std::string blob(std::string_view full_id) const;  // validates the ID
  [[nodiscard]] std::string trees() const { return cas + "/tree"; }
  [[nodiscard]] std::string tree(std::string_view tree_id) const;  // validates the ID
  [[nodiscard]] std::string tmp() const { return cas + "/tmp"; }
  [[nodiscard]] std::string locks() const { return cas + "/lock"; }
  // Held exclusively for the short steps that change blobs and index rows together.
  [[nodiscard]] std::string store_lock() const { return cas + "/lock/store"; }
  [[nodiscard]] std::string tree_lock(std::string_view tree_id) const;
  // OCI layers: <cas>/layer/sha256/<hex>/rootfs, keyed by the uncompressed digest.
  [[nodiscard]] std::string layers() const { return cas + "/layer/sha256"; }
  [[nodiscard]] std::string layer(std::string_view diff_id) const;  // validates the digest
  // Shared by imports, exclusive for gc's layer sweep.
  [[nodiscard]] std::string layers_lock() const { return cas + "/lock/layers"; }
};

}  // namespace pod::store
