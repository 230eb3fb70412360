#include "stage2/root_switch.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.hpp"

namespace pod::stage2 {

void switch_root(const std::string& root, RootSwitch how) {
  if (how == RootSwitch::chroot) {
    check_sys(chroot(root.c_str()), "chroot");
    check_sys(chdir("/"), "chdir /");
    return;
  }
  check_sys(unshare(CLONE_NEWNS), "creating the app's mount namespace");
  // Private, so the detach below is not propagated back to stage1's namespace.
  check_sys(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "making mounts private");
  check_sys(chdir(root.c_str()), "chdir to the rootfs");
  // pivot_root(".", "."): the old root ends up stacked on the new one, then detached.
  check_sys(syscall(SYS_pivot_root, ".", "."), "pivot_root");
  check_sys(umount2(".", MNT_DETACH), "detaching the old root");
  check_sys(chdir("/"), "chdir /");
}

}  // namespace pod::stage2
