// Paths inside an app's rootfs, which is untrusted: an image may carry symlinks such
// as /dev -> /../../../etc or /data -> /proc/1/root. Every lookup here goes through
// openat2(RESOLVE_IN_ROOT), so ".." and absolute symlinks resolve as if the rootfs
// were "/", and nothing we mount or create can land outside it. Mounts then target
// the opened fd through /proc/self/fd/N, never a path the image could swap.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/fd.hpp"

namespace pod::stage1 {

// openat2(rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Throws Error
// naming `path` (as seen inside the rootfs).
[[nodiscard]] UniqueFd open_in_root(int rootfd, const std::string& path, int flags);
// The same, returning an invalid fd instead of throwing when the path does not exist.
[[nodiscard]] UniqueFd try_open_in_root(int rootfd, const std::string& path, int flags);

// Opens directory `path` inside the rootfs (O_PATH), creating missing components with
// `mode` (owned by root). A non-directory on the way is an error naming it.
[[nodiscard]] UniqueFd make_dir_in_root(int rootfd, const std::string& path, mode_t mode = 0755);
// Opens file `path` inside the rootfs (O_PATH), creating an empty one (and its missing
// parent directories) when absent: the mount point of a file bind mount.
[[nodiscard]] UniqueFd make_file_in_root(int rootfd, const std::string& path, mode_t mode = 0644);

// "/proc/self/fd/N": a path naming exactly the object the fd holds, for mount(2).
[[nodiscard]] std::string fd_path(int fd);

// Splits "/a//b/./c/" into {"a","b","c"}; ".." is kept (the kernel resolves it in root).
[[nodiscard]] std::vector<std::string> path_components(const std::string& path);

}  // namespace pod::stage1
