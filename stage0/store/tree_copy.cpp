// Copying an already-extracted layer (a rendered tree of an image without
// dependencies) over the layers below, instead of extracting its blob again:
// the kernel copies file data (copy_file_range, a reflink where the file system
// can), so no decompression and no tar parsing. bench/store_import.sh measures both.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/store/tree_ops.hpp"

namespace pod::store {

namespace {

struct CopyContext {
  int dst_root;
  std::string shown_root;
  // Regular files with several links: the first copy's path (relative to dst_root),
  // so the others become hard links again rather than separate copies.
  std::map<std::pair<dev_t, ino_t>, std::string> linked;
};

void copy_xattrs(int from, int to, const std::string& shown) {
  ssize_t len = ::flistxattr(from, nullptr, 0);
  if (len <= 0) return;  // none, or not supported where the layer lives
  std::vector<char> names(static_cast<size_t>(len));
  len = ::flistxattr(from, names.data(), names.size());
  if (len < 0) throw_errno("listing extended attributes of " + shown);
  for (size_t i = 0; i < static_cast<size_t>(len);) {
    const char* name = names.data() + i;
    i += std::char_traits<char>::length(name) + 1;
    ssize_t vlen = ::fgetxattr(from, name, nullptr, 0);
    if (vlen < 0) continue;  // vanished between the list and the read
    std::vector<char> value(static_cast<size_t>(vlen));
    vlen = ::fgetxattr(from, name, value.data(), value.size());
    if (vlen < 0) continue;
    if (::fsetxattr(to, name, value.data(), static_cast<size_t>(vlen), 0) < 0 && errno != EPERM &&
        errno != ENOTSUP)
      throw_errno("setting extended attribute " + std::string(name) + " on " + shown);
  }
}

// Owner first, then mode: chown(2) clears the setuid and setgid bits.
void copy_owner_mode_times(int fd, const struct stat& st, const std::string& shown) {
  if (::fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
    throw_errno("setting owner of " + shown);
  if (::fchmod(fd, st.st_mode & 07777) < 0) throw_errno("setting mode of " + shown);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(fd, times) < 0) throw_errno("setting times of " + shown);
}

void copy_by_read_write(int in, int out, off_t left, const std::string& shown) {
  std::vector<char> buf(1 << 20);
  while (left > 0) {
    ssize_t n = ::read(in, buf.data(), std::min(buf.size(), static_cast<size_t>(left)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("copying " + shown);
    if (n == 0) throw Error("copying " + shown + ": the file shrank while being copied");
    write_all(out, std::string_view(buf.data(), static_cast<size_t>(n)), shown);
    left -= n;
  }
}

void copy_regular(int src_dir, int dst_dir, const std::string& name, const struct stat& st,
                  const std::string& shown) {
  UniqueFd in = openat_fd(src_dir, name, O_RDONLY | O_NOFOLLOW);
  UniqueFd out = openat_fd(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n =
        ::copy_file_range(in.get(), nullptr, out.get(), nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      // The kernel will not copy between these file systems (ext4 to tmpfs, say, for
      // 'pod image render' into another one): read and write, from where it stopped.
      copy_by_read_write(in.get(), out.get(), left, shown);
      break;
    }
    if (n < 0) throw_errno("copying " + shown);
    if (n == 0) throw Error("copying " + shown + ": the file shrank while being copied");
    left -= n;
  }
  copy_xattrs(in.get(), out.get(), shown);
  copy_owner_mode_times(out.get(), st, shown);
}

void copy_children(int src_dir, int dst_dir, const std::string& rel, CopyContext& ctx);

void copy_entry(int src_dir, int dst_dir, const std::string& name, const std::string& rel,
                CopyContext& ctx) {
  std::string shown = ctx.shown_root + "/" + rel;
  struct stat st;
  if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    throw_errno("inspecting layer entry " + shown);
  struct stat below;
  bool exists = ::fstatat(dst_dir, name.c_str(), &below, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) throw_errno("inspecting " + shown);
  if (S_ISDIR(st.st_mode)) {
    if (exists && !S_ISDIR(below.st_mode)) {
      if (::unlinkat(dst_dir, name.c_str(), 0) < 0) throw_errno("replacing " + shown);
      exists = false;
    }
    if (!exists && ::mkdirat(dst_dir, name.c_str(), 0700) < 0)
      throw_errno("creating directory " + shown);
    UniqueFd sub_src = openat_fd(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    UniqueFd sub_dst = openat_fd(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    copy_children(sub_src.get(), sub_dst.get(), rel, ctx);
    copy_xattrs(sub_src.get(), sub_dst.get(), shown);
    copy_owner_mode_times(sub_dst.get(), st, shown);  // after its contents changed its mtime
    return;
  }
  // Anything else from above replaces what was below (a symlink below is never followed).
  if (exists) remove_tree_at(dst_dir, name);
  if (S_ISREG(st.st_mode)) {
    if (st.st_nlink > 1) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto it = ctx.linked.find(key);
      if (it != ctx.linked.end()) {
        if (::linkat(ctx.dst_root, it->second.c_str(), dst_dir, name.c_str(), 0) < 0)
          throw_errno("linking " + shown + " to " + it->second);
        return;
      }
      ctx.linked.emplace(key, rel);
    }
    copy_regular(src_dir, dst_dir, name, st, shown);
  } else if (S_ISLNK(st.st_mode)) {
    std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
    ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
    if (n < 0) throw_errno("reading symlink " + shown);
    target.resize(static_cast<size_t>(n));
    target.push_back('\0');
    if (::symlinkat(target.data(), dst_dir, name.c_str()) < 0)
      throw_errno("creating symlink " + shown);
    if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
        errno != EPERM)
      throw_errno("setting owner of " + shown);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0)
      throw_errno("setting times of " + shown);
  } else {
    // Device nodes and fifos, as the extraction that made the layer created them.
    if (::mknodat(dst_dir, name.c_str(), st.st_mode, st.st_rdev) < 0)
      throw_errno("creating " + shown);
    if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
        errno != EPERM)
      throw_errno("setting owner of " + shown);
    if (::fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0) < 0)
      throw_errno("setting mode of " + shown);
  }
}

void copy_children(int src_dir, int dst_dir, const std::string& rel, CopyContext& ctx) {
  for (const auto& name : list_dir_at(src_dir, ctx.shown_root + "/" + rel))
    copy_entry(src_dir, dst_dir, name, rel.empty() ? name : rel + "/" + name, ctx);
}

}  // namespace

void copy_layer(int src_dir, int dst_dir, const std::string& shown) {
  CopyContext ctx{dst_dir, shown, {}};
  copy_children(src_dir, dst_dir, "", ctx);
}

}  // namespace pod::store
