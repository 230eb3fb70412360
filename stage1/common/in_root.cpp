#include "stage1/common/in_root.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <vector>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1 {
namespace {

int raw_openat2(int dirfd, const std::string& path, int flags, mode_t mode) {
  struct open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // An empty path means the root itself.
  std::string rel = path.empty() ? "." : path;
  for (;;) {
    long fd = syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);
    // EAGAIN: a concurrent rename raced the lookup; the kernel asks us to retry.
  }
}

std::string shown(const std::string& path) { return path.empty() || path[0] != '/' ? "/" + path : path; }

}  // namespace

std::vector<std::string> path_components(const std::string& path) {
  std::vector<std::string> out;
  for (auto& c : split(path, '/')) {
    if (c.empty() || c == ".") continue;
    out.push_back(std::move(c));
  }
  return out;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

UniqueFd try_open_in_root(int rootfd, const std::string& path, int flags) {
  int fd = raw_openat2(rootfd, path, flags, 0);
  if (fd < 0) {
    if (errno == ENOENT) return UniqueFd();
    throw_errno("opening " + shown(path) + " in the app's rootfs");
  }
  return UniqueFd(fd);
}

UniqueFd open_in_root(int rootfd, const std::string& path, int flags) {
  int fd = raw_openat2(rootfd, path, flags, 0);
  if (fd < 0) throw_errno("opening " + shown(path) + " in the app's rootfs");
  return UniqueFd(fd);
}

UniqueFd make_dir_in_root(int rootfd, const std::string& path, mode_t mode) {
  std::vector<std::string> todo = path_components(path);
  std::reverse(todo.begin(), todo.end());  // a stack: next component at the back
  std::string so_far;
  UniqueFd current = open_in_root(rootfd, "", O_PATH | O_DIRECTORY);
  int links_followed = 0;
  while (!todo.empty()) {
    std::string component = std::move(todo.back());
    todo.pop_back();
    std::string next_path = so_far + "/" + component;
    UniqueFd next = try_open_in_root(rootfd, next_path, O_PATH | O_DIRECTORY);
    if (!next) {
      // Created relative to the already-resolved parent; mkdirat never follows a final
      // symlink, so a dangling link fails with EEXIST instead of creating its target.
      if (mkdirat(current.get(), component.c_str(), mode) != 0) {
        if (errno != EEXIST) throw_errno("creating " + next_path + " in the app's rootfs");
        char target[PATH_MAX];
        ssize_t n = readlinkat(current.get(), component.c_str(), target, sizeof(target) - 1);
        if (n < 0) throw_errno("creating " + next_path + " in the app's rootfs");
        // A dangling symlink: create its target, resolved inside the rootfs as the kernel
        // would resolve it there (absolute targets from the rootfs, relative ones from
        // the link's directory), then carry on below it.
        if (++links_followed > 40) throw Error("creating " + shown(path) + " in the app's rootfs", ELOOP);
        std::string link(target, static_cast<size_t>(n));
        auto parts = path_components(link[0] == '/' ? link : so_far + "/" + link);
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
        so_far.clear();
        current = open_in_root(rootfd, "", O_PATH | O_DIRECTORY);
        continue;
      }
      next = open_in_root(rootfd, next_path, O_PATH | O_DIRECTORY);
    }
    so_far = next_path;
    current = std::move(next);
  }
  return current;
}

namespace {

UniqueFd make_file_in_root_following(int rootfd, const std::string& path, mode_t mode, int links_left) {
  if (UniqueFd existing = try_open_in_root(rootfd, path, O_PATH)) return existing;
  auto parts = path_components(path);
  if (parts.empty()) throw Error("mount target / is not a file", EISDIR);
  std::string name = parts.back();
  parts.pop_back();
  std::string parent_path = "/" + join(parts, "/");
  UniqueFd parent = make_dir_in_root(rootfd, parent_path, 0755);
  UniqueFd created(
      openat(parent.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!created) {
    if (errno != EEXIST) throw_errno("creating " + shown(path) + " in the app's rootfs");
    // A dangling symlink (Debian images ship /etc/resolv.conf -> ../run/...): create its
    // target, resolved inside the rootfs.
    char target[PATH_MAX];
    ssize_t n = readlinkat(parent.get(), name.c_str(), target, sizeof(target) - 1);
    if (n < 0) throw_errno("creating " + shown(path) + " in the app's rootfs");
    if (links_left == 0) throw Error("creating " + shown(path) + " in the app's rootfs", ELOOP);
    std::string link(target, static_cast<size_t>(n));
    std::string resolved = link[0] == '/' ? link : parent_path + "/" + link;
    return make_file_in_root_following(rootfd, resolved, mode, links_left - 1);
  }
  return open_in_root(rootfd, path, O_PATH);
}

}  // namespace

UniqueFd make_file_in_root(int rootfd, const std::string& path, mode_t mode) {
  return make_file_in_root_following(rootfd, path, mode, 40);
}

}  // namespace pod::stage1
