// Making the app's rootfs the process's "/". chroot(2) alone leaves the old root
// reachable to an app holding CAP_SYS_CHROOT (in the default set): it can chroot into a
// subdirectory and walk ".." out. With --pivot-root the launcher takes a mount namespace
// of its own and pivot_root(2)s into the rootfs, detaching the old root, so there is
// nothing left to escape to.
#pragma once

#include <string>

namespace pod::stage2 {

enum class RootSwitch { chroot, pivot_root };

// Afterwards the working directory is the new "/". pivot_root needs `root` to be a mount
// point (stage1 flavors mount the app's rootfs) and CAP_SYS_ADMIN.
void switch_root(const std::string& root, RootSwitch how);

}  // namespace pod::stage2
