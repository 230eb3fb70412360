// Mounting onto fds opened inside the app's rootfs (see in_root.hpp). The mounts live
// in the pod's private mount namespace and go away with it, however the pod ends, so
// none of them is unmounted by hand.
#pragma once

#include <string>

namespace pod::stage1 {

struct BindOptions {
  bool recursive = true;
  bool read_only = false;
};

// Clones the mount tree at `source_fd` (open_tree), makes the clone read-only
// (recursively with `recursive`) before anyone can see it, and attaches it at
// `target_fd` (move_mount). `what` names the mount in errors.
void bind_mount(int source_fd, int target_fd, const BindOptions& options, const std::string& what);

// mount(2) of a new filesystem (tmpfs, proc, sysfs, devpts) on `target_fd`.
void mount_filesystem(const std::string& fstype, int target_fd, unsigned long flags,
                      const std::string& data, const std::string& what);

// Whether the fd's directory is the root of a mount (statx STATX_ATTR_MOUNT_ROOT).
[[nodiscard]] bool is_mount_root(int fd);

// Makes every mount in this process's mount namespace private, so nothing mounted from
// here on propagates to the host (or to another pod) even if stage0's namespace was shared.
void make_mounts_private();

}  // namespace pod::stage1
