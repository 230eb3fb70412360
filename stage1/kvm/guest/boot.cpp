#include "stage1/kvm/guest/boot.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/kvm/layout.hpp"

namespace pod::stage1::kvm::guest {
namespace {

void mount_fs(const char* source, const std::string& target, const char* type, unsigned long flags,
              const std::string& data = {}) {
  make_dirs(target, 0755);
  check_sys(::mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()),
            std::string("mounting ") + (type != nullptr ? type : source) + " at " + target);
}

}  // namespace

void mount_early() {
  mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
}

void load_modules(const std::string& dir) {
  for (const auto& name : split(read_file(dir + "/order"), '\n')) {
    if (name.empty()) continue;
    const std::string path = dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("opening module " + path);
    // EEXIST: built into this kernel after all.
    if (syscall(SYS_finit_module, fd.get(), "", 0) != 0 && errno != EEXIST) throw_errno("loading module " + path);
  }
}

void mount_share(const std::string& tag, const std::string& dir, bool read_only) {
  // msize: 9p's default of 8 KiB makes every read of a binary a hundred round trips.
  // cache=mmap: apps may mmap files of the share (every exec does).
  const std::string data = "trans=virtio,version=9p2000.L,msize=262144,cache=mmap,access=client";
  make_dirs(dir, 0755);
  const unsigned long flags = read_only ? MS_RDONLY : 0;
  // The virtio device registers its tag when the driver has probed it, which may lag
  // the module load a little.
  for (int attempt = 0;; ++attempt) {
    if (::mount(tag.c_str(), dir.c_str(), "9p", flags, data.c_str()) == 0) return;
    if (errno != ENOENT || attempt >= 300) throw_errno("mounting the 9p share \"" + tag + "\" at " + dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void switch_root(const std::string& new_root, const std::string& pod_share, const GuestConfig& config) {
  check_sys(::mount(new_root.c_str(), new_root.c_str(), nullptr, MS_BIND | MS_REC, nullptr),
            "making " + new_root + " a mount point");
  mount_fs(pod_share.c_str(), new_root + kPodDirInGuest, nullptr, MS_BIND);
  for (const auto& v : config.volumes)
    mount_share(v.tag, new_root + kHostVolumesInGuest + "/" + v.name, v.read_only);
  mount_fs("proc", new_root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  mount_fs("sysfs", new_root + "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  // The kernel lists the unified hierarchy in /proc/self/cgroup only once cgroup2 has been
  // mounted, and pod init finds the hierarchies (and so the apps' isolators) there.
  mount_fs("cgroup2", new_root + "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  mount_fs("devtmpfs", new_root + "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  mount_fs("devpts", new_root + "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620");
  mount_fs("tmpfs", new_root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  // pod init mounts the cgroup hierarchies under /run: guest memory, not the share.
  mount_fs("tmpfs", new_root + "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
  check_sys(::chdir(new_root.c_str()), "changing to " + new_root);
  check_sys(::mount(".", "/", nullptr, MS_MOVE, nullptr), "moving " + new_root + " over /");
  check_sys(::chroot("."), "changing root to " + new_root);
  check_sys(::chdir("/"), "changing to /");
}

}  // namespace pod::stage1::kvm::guest
