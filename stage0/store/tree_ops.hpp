// Operations on rendered trees and on the directory trees they are built from.
// Internal to stage0/store. Everything works relative to directory fds and never
// follows a symlink found inside a tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stage0/store/layout.hpp"
#include "stage0/store/sqlite.hpp"

namespace pod::store {

// Moves the contents of `src_dir` over `dst_dir` as a layer on top: a directory
// present in both is merged (taking the upper one's owner, mode and times),
// anything else from above replaces what was below (a symlink below is replaced,
// never followed). Files move by rename(2), so nothing is copied. `shown` names
// the destination in errors.
void merge_layer(int src_dir, int dst_dir, const std::string& shown);

// The same layering as merge_layer, but copying: `src_dir` is left as it is (it is
// another image's rendered tree). Owners, modes (setuid included), times, extended
// attributes, symlinks, hard links within the layer, device nodes and fifos are kept.
void copy_layer(int src_dir, int dst_dir, const std::string& shown);

// Removes everything under `rootfs_dir` that is not listed in `whitelist`
// (absolute paths, as pathWhitelist gives them) and is not a directory leading
// to a listed path. The appc spec calls the whitelist a complete set, so a listed
// directory keeps itself, not what it contains.
void apply_path_whitelist(int rootfs_dir, const std::vector<std::string>& whitelist);

// Bytes a directory tree occupies on disk (st_blocks), not crossing mounts.
[[nodiscard]] uint64_t disk_usage(const std::string& path);

// Removes a rendered tree, its index row and its lock file, unless someone
// holds the tree's lock. Returns the bytes freed, or nullopt when it was held.
[[nodiscard]] std::optional<uint64_t> remove_tree_if_unheld(Sqlite& db, const Layout& layout,
                                                            const std::string& tree_id);

}  // namespace pod::store
