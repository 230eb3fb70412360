// flock(2) on a file or directory fd, released when the owner goes away.
#pragma once

#include <string>

#include "common/fd.hpp"

namespace pod {

enum class LockMode { shared, exclusive };

class FileLock {
 public:
  FileLock() = default;
  // Locks an fd the lock now owns. `what` names it in errors.
  FileLock(UniqueFd fd, std::string what) : fd_(std::move(fd)), what_(std::move(what)) {}

  // Opens `path` (a directory or a file, created if `create`) and blocks until locked.
  [[nodiscard]] static FileLock acquire(const std::string& path, LockMode mode, bool create = false);
  // Like acquire but returns an invalid lock instead of waiting when someone else holds it.
  [[nodiscard]] static FileLock try_acquire(const std::string& path, LockMode mode,
                                            bool create = false);

  [[nodiscard]] bool held() const noexcept { return fd_.valid(); }
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // Changes shared <-> exclusive; returns false if nonblocking and it would block.
  [[nodiscard]] bool change(LockMode mode, bool wait);
  // Hands the locked fd on (e.g. to stage1 as RKT_LOCK_FD); the lock stays held while it is open.
  [[nodiscard]] UniqueFd release() noexcept { return std::move(fd_); }

 private:
  UniqueFd fd_;
  std::string what_;
};

}  // namespace pod
