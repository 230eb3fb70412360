#include "common/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"

namespace pod {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) (void)::close(fd_);  // close errors on a read-mostly fd carry nothing to act on
  fd_ = fd;
}

UniqueFd open_fd(const std::string& path, int flags, unsigned mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("opening " + path);
  return UniqueFd(fd);
}

UniqueFd openat_fd(int dirfd, const std::string& path, int flags, unsigned mode) {
  int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("opening " + path);
  return UniqueFd(fd);
}

UniqueFd open_dir(const std::string& path) { return open_fd(path, O_RDONLY | O_DIRECTORY); }

void write_all(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("writing " + std::string(what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string read_all(int fd, std::string_view what) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("reading " + std::string(what));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace pod
