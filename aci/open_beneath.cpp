#include "aci/open_beneath.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"

namespace pod::aci {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// One syscall for the common case; -1 with errno otherwise (ENOSYS on old kernels).
int openat2_beneath(int rootfd, const std::string& rel) {
  struct open_how how = {};
  how.flags = kDirFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, rootfd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EINTR && errno != EAGAIN) return -1;
  }
}

[[noreturn]] void refuse_component(const std::string& shown, int err) {
  Error e("refused: " + shown + " is a symlink or not a directory; extraction never goes through one",
          err);
  throw e;
}

UniqueFd walk(int rootfd, const std::string& rel, bool create) {
  UniqueFd cur(::fcntl(rootfd, F_DUPFD_CLOEXEC, 3));
  if (!cur) throw_errno("duplicating the target directory fd");
  std::string shown;
  size_t i = 0;
  while (i < rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    std::string comp = rel.substr(i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") throw Error("refused: \"..\" in " + rel);
    shown += (shown.empty() ? "" : "/") + comp;
    int fd = ::openat(cur.get(), comp.c_str(), kDirFlags);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), comp.c_str(), 0755) < 0 && errno != EEXIST)
        throw_errno("creating directory " + shown);
      fd = ::openat(cur.get(), comp.c_str(), kDirFlags);
    }
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR) refuse_component(shown, errno);
      throw_errno("opening directory " + shown);
    }
    cur.reset(fd);
  }
  return cur;
}

}  // namespace

UniqueFd open_dir_beneath(int rootfd, const std::string& rel, bool create) {
  if (rel.empty()) return walk(rootfd, rel, create);
  int fd = openat2_beneath(rootfd, rel);
  if (fd >= 0) return UniqueFd(fd);
  if (errno == ELOOP || errno == ENOTDIR || errno == EXDEV) {
    // EXDEV: RESOLVE_BENEATH saw an escape attempt. Let the walk name the component.
    return walk(rootfd, rel, false);
  }
  if (errno == ENOENT && create) return walk(rootfd, rel, true);
  if (errno != ENOSYS && errno != EPERM) throw_errno("opening directory " + rel);
  return walk(rootfd, rel, create);  // no openat2 here (or a seccomp filter denies it)
}

}  // namespace pod::aci
