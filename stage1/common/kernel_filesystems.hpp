// /proc, /sys (read-only) and /tmp of the app's rootfs.
#pragma once

namespace pod::stage1 {

// proc of the current pid namespace, nosuid/nodev/noexec.
void mount_proc(int rootfd);
// A fresh sysfs, read-only: apps may look, not reconfigure the host.
void mount_sys(int rootfd);
// A tmpfs at /tmp (mode 1777), as rkt's fly flavor gives its app.
void mount_tmp(int rootfd);

}  // namespace pod::stage1
