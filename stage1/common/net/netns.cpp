#include "stage1/common/net/netns.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"

namespace pod::stage1::net {

std::string netns_path_for(const std::string& uuid) { return std::string(kNetnsDir) + "/" + uuid; }

HostMountNamespace HostMountNamespace::from_env() {
  const char* v = std::getenv(kHostMountNsEnv);
  if (!v || !*v) return {};
  char* end = nullptr;
  long fd = std::strtol(v, &end, 10);
  if (*end != '\0' || fd < 0 || fd > 1 << 20)
    throw Error(std::string(kHostMountNsEnv) + "=" + v + " is not a file descriptor number");
  int ifd = static_cast<int>(fd);
  if (::ioctl(ifd, NS_GET_NSTYPE) != CLONE_NEWNS)
    throw Error(std::string(kHostMountNsEnv) + "=" + v + " is not an open mount namespace fd",
                errno);
  // Only this process needs it: the pod's processes must not keep the namespace.
  (void)::fcntl(ifd, F_SETFD, FD_CLOEXEC);
  int dup = ::fcntl(ifd, F_DUPFD_CLOEXEC, 3);
  if (dup < 0) throw_errno("duplicating " + std::string(kHostMountNsEnv));
  return HostMountNamespace(UniqueFd(dup));
}

bool HostMountNamespace::is_elsewhere() const {
  if (!fd_) return false;
  struct stat host {}, own {};
  if (::fstat(fd_.get(), &host) != 0 || ::stat("/proc/self/ns/mnt", &own) != 0) return true;
  return host.st_ino != own.st_ino || host.st_dev != own.st_dev;
}

namespace {

// Runs fn in a forked child, so namespace switches stay there; an Error it throws is
// rethrown here with its message and hint.
void in_child(const std::function<void()>& fn) {
  int p[2];
  check_sys(::pipe2(p, O_CLOEXEC), "creating a pipe");
  UniqueFd r(p[0]), w(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("forking");
  if (pid == 0) {
    int code = 0;
    try {
      fn();
    } catch (const Error& e) {
      std::string msg = std::string(e.what()) + '\0' + e.hint();
      (void)!::write(w.get(), msg.data(), msg.size());
      code = 1;
    } catch (const std::exception& e) {
      (void)!::write(w.get(), e.what(), std::string(e.what()).size());
      code = 1;
    }
    ::_exit(code);
  }
  ChildProcess child(pid);
  w.reset();
  std::string msg = read_all(r.get(), "the helper's error pipe");
  int status = child.wait();
  if (msg.empty() && WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  size_t nul = msg.find('\0');
  std::string hint = nul == std::string::npos ? "" : msg.substr(nul + 1);
  if (nul != std::string::npos) msg.resize(nul);
  if (msg.empty()) msg = "the helper process failed (status " + std::to_string(status) + ")";
  throw Error(msg, 0, hint);
}

bool is_nsfs(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

// Bind-mounts this process's network namespace at path, unless it already shows there
// (a mount in the host namespace propagates here where the host's / is shared).
void bind_own_netns(const std::string& path) {
  struct stat want {}, have {};
  check_sys(::stat("/proc/self/ns/net", &want), "reading /proc/self/ns/net");
  if (::stat(path.c_str(), &have) == 0 && have.st_ino == want.st_ino && have.st_dev == want.st_dev)
    return;
  make_dirs(kNetnsDir, 0755);
  UniqueFd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444));
  if (!f) throw_errno("creating " + path);
  f.reset();
  if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0)
    throw_errno("bind-mounting the network namespace at " + path);
}

// Removes every mount stacked at path, then (when asked) the file itself.
void unmount_and_unlink(const std::string& path, bool unlink_file) {
  for (int i = 0; i < 8 && is_nsfs(path); ++i) {
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      throw_errno("unmounting the network namespace " + path);
  }
  // Unlinking detaches the copies of the mount in other mount namespaces too.
  if (unlink_file && ::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw_errno("removing " + path);
}

}  // namespace

bool netns_mounted(const std::string& path) { return is_nsfs(path); }

void create_netns(const std::string& path, const HostMountNamespace& host) {
  with_context("creating the network namespace " + path, [&] {
    bool elsewhere = host.is_elsewhere();
    try {
    in_child([&] {
      check_sys(::unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
      if (elsewhere) {
        UniqueFd own = open_fd("/proc/self/ns/mnt", O_RDONLY);
        check_sys(::setns(host.fd(), CLONE_NEWNS), "entering stage0's mount namespace");
        bind_own_netns(path);
        check_sys(::setns(own.get(), CLONE_NEWNS), "returning to the pod's mount namespace");
      }
      bind_own_netns(path);
    });
    } catch (const Error&) {
      try {
        remove_netns(path, host);
      } catch (const Error&) {
        // the creation error is the one to report
      }
      throw;
    }
  });
}

void remove_netns(const std::string& path, const HostMountNamespace& host) {
  with_context("removing the network namespace " + path, [&] {
    if (host.is_elsewhere()) {
      unmount_and_unlink(path, false);
      in_child([&] {
        check_sys(::setns(host.fd(), CLONE_NEWNS), "entering stage0's mount namespace");
        unmount_and_unlink(path, true);
      });
    } else {
      unmount_and_unlink(path, true);
    }
  });
}

}  // namespace pod::stage1::net
