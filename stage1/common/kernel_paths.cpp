#include "stage1/common/kernel_paths.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <string>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "stage1/common/in_root.hpp"
#include "stage1/common/mounting.hpp"

namespace pod::stage1 {
namespace {

constexpr const char* kReadOnly[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/bus", "/proc/irq",
                                     "/proc/fs"};
constexpr const char* kHidden[] = {"/proc/kcore",    "/proc/kallsyms", "/proc/sched_debug",
                                   "/proc/timer_list", "/proc/keys",   "/sys/firmware",
                                   "/sys/hypervisor", "/sys/power",    "/sys/module"};

}  // namespace

void protect_kernel_paths(int rootfd) {
  with_context("protecting the kernel's paths (--disable-paths turns this off)", [&] {
    for (const char* path : kReadOnly) {
      UniqueFd target = try_open_in_root(rootfd, path, O_PATH);
      if (!target) continue;
      bind_mount(target.get(), target.get(), BindOptions{true, true}, std::string("making ") + path + " read-only");
    }
    UniqueFd null_device = open_fd("/dev/null", O_PATH);
    for (const char* path : kHidden) {
      UniqueFd target = try_open_in_root(rootfd, path, O_PATH);
      if (!target) continue;
      struct stat st{};
      check_sys(fstat(target.get(), &st), std::string("stat of ") + path);
      if (S_ISDIR(st.st_mode)) {
        mount_filesystem("tmpfs", target.get(), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "size=4k,mode=0555", std::string("hiding ") + path);
      } else {
        bind_mount(null_device.get(), target.get(), BindOptions{false, true}, std::string("hiding ") + path);
      }
    }
  });
}

}  // namespace pod::stage1
