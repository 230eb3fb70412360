#include "stage1/common/dev.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "stage1/common/in_root.hpp"
#include "stage1/common/mounting.hpp"

namespace pod::stage1 {
namespace {

constexpr const char* kHostNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

// `devfd` is the fresh tmpfs we mounted: nothing of the image is in it, so plain *at()
// calls relative to it are safe.
UniqueFd create_mount_point_file(int devfd, const std::string& name) {
  UniqueFd created(openat(devfd, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!created) throw_errno("creating /dev/" + name);
  return openat_fd(devfd, name, O_PATH | O_NOFOLLOW);
}

void bind_host_node(int devfd, const std::string& host_path, const std::string& name) {
  UniqueFd source = open_fd(host_path, O_PATH);
  UniqueFd target = create_mount_point_file(devfd, name);
  bind_mount(source.get(), target.get(), BindOptions{false, false}, "binding " + host_path + " to /dev/" + name);
}

void make_symlink(int devfd, const char* target, const char* name) {
  if (symlinkat(target, devfd, name) != 0) throw_errno(std::string("creating /dev/") + name);
}

UniqueFd make_subdir(int devfd, const char* name, mode_t mode) {
  if (mkdirat(devfd, name, mode) != 0) throw_errno(std::string("creating /dev/") + name);
  return openat_fd(devfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
}

}  // namespace

void setup_dev(int rootfd, const DevOptions& options) {
  with_context("setting up /dev", [&] {
    UniqueFd mount_point = make_dir_in_root(rootfd, "/dev");
    mount_filesystem("tmpfs", mount_point.get(), MS_NOSUID | MS_NOEXEC | MS_STRICTATIME,
                     "mode=755,size=65536k", "/dev");
    // Re-open: the old fd is the directory under the new tmpfs.
    UniqueFd dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
    UniqueFd dev_dir = openat_fd(dev.get(), ".", O_RDONLY | O_DIRECTORY);

    for (const char* node : kHostNodes) bind_host_node(dev_dir.get(), std::string("/dev/") + node, node);

    UniqueFd pts = make_subdir(dev_dir.get(), "pts", 0755);
    mount_filesystem("devpts", pts.get(), MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620",
                     "/dev/pts");
    make_symlink(dev_dir.get(), "pts/ptmx", "ptmx");

    UniqueFd shm = make_subdir(dev_dir.get(), "shm", 01777);
    mount_filesystem("tmpfs", shm.get(), MS_NOSUID | MS_NODEV, "mode=1777", "/dev/shm");

    make_symlink(dev_dir.get(), "/proc/self/fd", "fd");
    make_symlink(dev_dir.get(), "/proc/self/fd/0", "stdin");
    make_symlink(dev_dir.get(), "/proc/self/fd/1", "stdout");
    make_symlink(dev_dir.get(), "/proc/self/fd/2", "stderr");

    if (options.console && isatty(STDIN_FILENO)) {
      char tty[256] = {};
      if (ttyname_r(STDIN_FILENO, tty, sizeof(tty)) == 0) bind_host_node(dev_dir.get(), tty, "console");
    }
  });
}

}  // namespace pod::stage1
