#include "stage1/common/kernel_filesystems.hpp"

#include <sys/mount.h>

#include "common/fd.hpp"
#include "stage1/common/in_root.hpp"
#include "stage1/common/mounting.hpp"

namespace pod::stage1 {

void mount_proc(int rootfd) {
  UniqueFd target = make_dir_in_root(rootfd, "/proc", 0555);
  mount_filesystem("proc", target.get(), MS_NOSUID | MS_NODEV | MS_NOEXEC, "", "/proc");
}

void mount_sys(int rootfd) {
  UniqueFd target = make_dir_in_root(rootfd, "/sys", 0555);
  mount_filesystem("sysfs", target.get(), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", "/sys");
}

void mount_tmp(int rootfd) {
  UniqueFd target = make_dir_in_root(rootfd, "/tmp", 01777);
  mount_filesystem("tmpfs", target.get(), MS_NOSUID | MS_NODEV, "mode=1777", "/tmp");
}

}  // namespace pod::stage1
