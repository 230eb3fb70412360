// RAII owner of a file descriptor.
#pragma once

#include <string>
#include <utility>

namespace pod {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }
  // Hands ownership on; the caller closes it.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// open(2)/openat(2) with O_CLOEXEC, throwing Error naming the path.
[[nodiscard]] UniqueFd open_fd(const std::string& path, int flags, unsigned mode = 0);
[[nodiscard]] UniqueFd openat_fd(int dirfd, const std::string& path, int flags, unsigned mode = 0);
// A directory fd (O_DIRECTORY|O_PATH is not used: callers need to read it).
[[nodiscard]] UniqueFd open_dir(const std::string& path);

// Writes all of data, retrying on EINTR and short writes.
void write_all(int fd, std::string_view data, std::string_view what);
// Reads the whole fd from its current offset.
[[nodiscard]] std::string read_all(int fd, std::string_view what);

}  // namespace pod
