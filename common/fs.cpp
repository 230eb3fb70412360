#include "common/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <random>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pod {

std::string read_file(const std::string& path) {
  UniqueFd fd = open_fd(path, O_RDONLY);
  return read_all(fd.get(), path);
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string parent_dir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string path_join(std::string_view a, std::string_view b) {
  std::string out(a);
  while (!out.empty() && out.back() == '/' && out.size() > 1) out.pop_back();
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  if (b.empty()) return out;
  if (out.empty() || out.back() != '/') out += '/';
  out += b;
  return out;
}

void write_file_atomic(const std::string& path, std::string_view data, mode_t mode,
                       bool durable) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(std::random_device{}());
  {
    UniqueFd fd = open_fd(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
    try {
      write_all(fd.get(), data, tmp);
      if (::fchmod(fd.get(), mode) < 0) throw_errno("setting mode of " + tmp);
      if (durable && ::fsync(fd.get()) < 0) throw_errno("syncing " + tmp);
    } catch (...) {
      (void)::unlink(tmp.c_str());  // best effort: the error that matters is being thrown
      throw;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    int e = errno;
    (void)::unlink(tmp.c_str());
    throw_errno("renaming " + tmp + " to " + path, e);
  }
}

void make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return;
  if (::mkdir(path.c_str(), mode) == 0) return;
  if (errno == EEXIST) {
    if (is_directory(path)) return;
    throw Error("creating directory " + path + ": a non-directory is in the way");
  }
  if (errno != ENOENT) throw_errno("creating directory " + path);
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) make_dirs(path.substr(0, slash), mode);
  if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) throw_errno("creating directory " + path);
}

namespace {

struct DirCloser {
  void operator()(DIR* d) const noexcept { (void)::closedir(d); }  // read-only: nothing to flush
};
using DirStream = std::unique_ptr<DIR, DirCloser>;

// The names `dir` holds, without "." and "..", sorted; a failing readdir(3) is an error,
// not the end of the list.
std::vector<std::string> sorted_names(DIR* dir, const std::string& shown) {
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const struct dirent* ent = ::readdir(dir);
    if (!ent) {
      if (int e = errno; e != 0) throw_errno("reading directory " + shown, e);
      break;
    }
    std::string n = ent->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  return names;
}

void remove_children(int dirfd, const std::string& shown, dev_t dev) {
  for (const auto& n : list_dir_at(dirfd, shown)) {
    struct stat st;
    if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;
      throw_errno("inspecting " + shown + "/" + n);
    }
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev)
        throw Error("removing " + shown + "/" + n + ": it is a mount point", EBUSY,
                    "unmount it first (pod gc does this for pods)");
      UniqueFd child = openat_fd(dirfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      remove_children(child.get(), shown + "/" + n, dev);
      if (::unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
        throw_errno("removing " + shown + "/" + n);
    } else if (::unlinkat(dirfd, n.c_str(), 0) < 0 && errno != ENOENT) {
      throw_errno("removing " + shown + "/" + n);
    }
  }
}

}  // namespace

void remove_tree_at(int dirfd, const std::string& name) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return;
    throw_errno("inspecting " + name);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name.c_str(), 0) < 0 && errno != ENOENT) throw_errno("removing " + name);
    return;
  }
  {
    UniqueFd fd = openat_fd(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    remove_children(fd.get(), name, st.st_dev);
  }
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    throw_errno("removing " + name);
}

void remove_tree(const std::string& path) { remove_tree_at(AT_FDCWD, path); }

std::vector<std::string> list_dir(const std::string& path) {
  DirStream dir(::opendir(path.c_str()));
  if (int e = errno; !dir) throw_errno("reading directory " + path, e);
  return sorted_names(dir.get(), path);
}

std::vector<std::string> list_dir_at(int dirfd, const std::string& shown) {
  UniqueFd dup(::fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
  if (int e = errno; !dup) throw_errno("duplicating the fd of " + shown, e);
  DirStream dir(::fdopendir(dup.get()));
  if (int e = errno; !dir) throw_errno("reading directory " + shown, e);
  (void)dup.release();  // the DIR stream owns it now
  ::rewinddir(dir.get());  // the offset is shared with dirfd, which may have been read before
  return sorted_names(dir.get(), shown);
}

void sync_dir(const std::string& path) {
  UniqueFd fd = open_fd(path, O_RDONLY | O_DIRECTORY);
  if (::fsync(fd.get()) < 0) throw_errno("syncing directory " + path);
}

}  // namespace pod
