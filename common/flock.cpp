#include "common/flock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "common/error.hpp"

namespace pod {

namespace {

FileLock lock_path(const std::string& path, LockMode mode, bool create, bool wait) {
  int flags = create ? (O_RDWR | O_CREAT) : O_RDONLY;
  UniqueFd fd = open_fd(path, flags, 0644);
  int op = (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  for (;;) {
    if (::flock(fd.get(), op) == 0) return FileLock(std::move(fd), path);
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && !wait) return FileLock();
    throw_errno("locking " + path);
  }
}

}  // namespace

FileLock FileLock::acquire(const std::string& path, LockMode mode, bool create) {
  return lock_path(path, mode, create, true);
}

FileLock FileLock::try_acquire(const std::string& path, LockMode mode, bool create) {
  return lock_path(path, mode, create, false);
}

bool FileLock::change(LockMode mode, bool wait) {
  int op = (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  for (;;) {
    if (::flock(fd_.get(), op) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && !wait) return false;
    throw_errno("locking " + what_);
  }
}

}  // namespace pod
