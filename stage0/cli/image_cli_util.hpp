// What the `pod image` store commands share: opening the store from the global
// flags, resolving ID-or-name arguments, and showing times and names as rkt did.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stage0/cli/cli.hpp"
#include "stage0/store/store.hpp"

namespace pod::cli {

[[nodiscard]] store::Store open_image_store(const GlobalOptions& global);

// One image for an ID (prefix) or a name ("name[:version][,label=value...]", the newest
// import). Throws naming the argument.
[[nodiscard]] store::ImageRecord image_for_argument(const store::Store& st, const std::string& arg);
// Every image an argument names: one for an ID, all with that name (and labels) for a name.
[[nodiscard]] std::vector<store::ImageRecord> images_for_argument(const store::Store& st,
                                                                  const std::string& arg);

// "example.com/app:1.0" when the image has a version label, else the name.
[[nodiscard]] std::string display_name(const store::ImageRecord& r);
// "3 minutes ago", "2 days ago", "just now".
[[nodiscard]] std::string relative_time(int64_t then, int64_t now);
// "2026-11-25 09:01:02 +0000 UTC" in local time.
[[nodiscard]] std::string absolute_time(int64_t unix_seconds);

// A path without trailing slashes ("out/" -> "out"; "/" stays "/").
[[nodiscard]] std::string strip_trailing_slashes(std::string path);

}  // namespace pod::cli

#include <functional>

namespace pod::cli {

// For `pod image extract|render DIR`: `build(tree)` creates tree/manifest and tree/rootfs
// in a temporary directory beside `dir`; then the tree (or, with rootfs_only, its rootfs)
// is renamed to `dir`. An existing `dir` is an error unless overwrite, and is replaced
// only once the new tree is complete.
void place_tree(const std::string& dir, bool overwrite, bool rootfs_only,
                const std::function<void(const std::string& tree)>& build);

}  // namespace pod::cli
