#include "aci/safe_extract.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <archive.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "aci/open_beneath.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::aci {

namespace {

std::pair<std::string, std::string> split_parent(const std::string& rel) {
  auto slash = rel.rfind('/');
  if (slash == std::string::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

// The entry's times as futimens wants them; both UTIME_OMIT when the archive has none.
void entry_times(archive_entry* e, struct timespec (&ts)[2]) {
  if (!archive_entry_mtime_is_set(e)) {
    ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
    return;
  }
  ts[1].tv_sec = archive_entry_mtime(e);
  ts[1].tv_nsec = archive_entry_mtime_nsec(e);
  if (archive_entry_atime_is_set(e)) {
    ts[0].tv_sec = archive_entry_atime(e);
    ts[0].tv_nsec = archive_entry_atime_nsec(e);
  } else {
    ts[0] = ts[1];
  }
}

uid_t checked_id(la_int64_t id, const char* what) {
  if (id < 0 || id >= static_cast<la_int64_t>(UINT32_MAX))
    throw Error(std::string("refused: ") + what + " " + std::to_string(id) + " is out of range");
  return static_cast<uid_t>(id);
}

std::string proc_path(int dirfd, const std::string& leaf) {
  return "/proc/self/fd/" + std::to_string(dirfd) + "/" + leaf;
}

void pwrite_all(int fd, const char* p, size_t n, off_t off, const std::string& rel) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, off);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw_errno("writing " + rel);
    }
    p += w;
    n -= static_cast<size_t>(w);
    off += w;
  }
}

}  // namespace

SafeExtractor::SafeExtractor(int target_dirfd, const ExtractOptions& opts)
    : opts_(opts), whitelist_(opts.path_whitelist), as_root_(::geteuid() == 0) {
  tree_[""] = Kind::directory;
  if (target_dirfd < 0) return;
  target_fd_.reset(::fcntl(target_dirfd, F_DUPFD_CLOEXEC, 3));
  if (!target_fd_) throw_errno("duplicating the target directory fd");
  if (opts_.rootfs_only) {
    rootfs_fd_.reset(::fcntl(target_dirfd, F_DUPFD_CLOEXEC, 3));
    if (!rootfs_fd_) throw_errno("duplicating the target directory fd");
  } else {
    if (::mkdirat(target_fd_.get(), "rootfs", 0755) < 0 && errno != EEXIST)
      throw_errno("creating rootfs in the target directory");
    rootfs_fd_ = openat_fd(target_fd_.get(), "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  }
}

void SafeExtractor::add(archive_entry* e, const ReadBlock& read) {
  const char* name = archive_entry_pathname(e);
  if (!name) throw Error("refused: an entry whose name cannot be decoded");
  EntryPath p = classify_entry_path(name);
  if (p.area == EntryPath::Area::manifest) return add_manifest(e, read);

  const char* hardlink = archive_entry_hardlink(e);
  Kind kind = Kind::other;
  bool device = false;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: kind = Kind::regular; break;
    case AE_IFDIR: kind = Kind::directory; break;
    case AE_IFLNK: kind = Kind::symlink; break;
    case AE_IFCHR:
    case AE_IFBLK: device = true; break;
    case AE_IFIFO: break;
    case AE_IFSOCK: return;  // a socket is meaningless in an image: nothing to create
    default:
      if (!hardlink) throw Error("refused: unknown file type");
  }
  if (hardlink) kind = Kind::regular;
  if (p.rel.empty()) {
    if (kind != Kind::directory || hardlink) throw Error("refused: rootfs must be a directory");
    if (extracting()) entry_times(e, dir_meta_[""].times);
    dir_meta_[""].mode = archive_entry_perm(e);
    return;
  }
  if (!whitelist_.keeps(p.rel, kind == Kind::directory)) {
    if (kind == Kind::regular && !hardlink) excluded_files_.insert(p.rel);
    return;
  }
  check_parents(p.rel);
  if (device && !(as_root_ && opts_.allow_device_nodes)) {
    ++skipped_devices_;
    return;
  }

  std::string link_target;
  if (hardlink) {
    EntryPath t = with_context(std::string("hardlink target \"") + hardlink + "\"",
                               [&] { return classify_entry_path(hardlink); });
    if (t.area != EntryPath::Area::rootfs || t.rel.empty())
      throw Error(std::string("refused: hardlink to \"") + hardlink + "\", which is not in rootfs/");
    if (t.rel == p.rel) throw Error("refused: a hardlink to itself");
    if (excluded_files_.count(t.rel))
      throw Error(std::string("refused: hardlink to \"") + hardlink +
                  "\", which pathWhitelist leaves out");
    auto it = tree_.find(t.rel);
    if (it == tree_.end() || it->second != Kind::regular)
      throw Error(std::string("refused: hardlink to \"") + hardlink +
                  "\", which is not a regular file extracted earlier");
    link_target = t.rel;
  }

  auto existing = tree_.find(p.rel);
  if (existing != tree_.end() && existing->second == Kind::directory && kind != Kind::directory)
    forget_subtree(p.rel);
  if (extracting()) {
    if (hardlink) {
      auto [parent_rel, leaf] = split_parent(p.rel);
      int parent = parent_fd(parent_rel);
      remove_existing(parent, leaf, false, p.rel);
      create_hardlink(parent, leaf, link_target);
    } else {
      create(p.rel, e, kind, read);
    }
  }
  tree_[p.rel] = kind;
}

void SafeExtractor::add_manifest(archive_entry* e, const ReadBlock& read) {
  if (archive_entry_hardlink(e) || archive_entry_filetype(e) != AE_IFREG)
    throw Error("refused: the manifest must be a regular file");
  if (have_manifest_) throw Error("refused: a second manifest entry (an ACI has exactly one)");
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > static_cast<la_int64_t>(kMaxManifestSize))
    throw Error("refused: the manifest is " + std::to_string(archive_entry_size(e)) +
                " bytes, more than the " + std::to_string(kMaxManifestSize) + " allowed");
  std::string text;
  const void* buf = nullptr;
  size_t size = 0;
  int64_t offset = 0;
  while (read(buf, size, offset)) {
    if (offset < 0 || static_cast<uint64_t>(offset) + size > kMaxManifestSize)
      throw Error("refused: the manifest is larger than " + std::to_string(kMaxManifestSize) +
                  " bytes");
    if (text.size() < static_cast<size_t>(offset) + size) text.resize(static_cast<size_t>(offset) + size);
    text.replace(static_cast<size_t>(offset), size, static_cast<const char*>(buf), size);
  }
  manifest_ = with_context("the manifest is invalid", [&] { return ImageManifest::parse(text); });
  manifest_text_ = std::move(text);
  have_manifest_ = true;
}

void SafeExtractor::check_parents(const std::string& rel) {
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
    std::string prefix = rel.substr(0, slash);
    auto it = tree_.find(prefix);
    if (it == tree_.end()) {
      tree_.emplace(prefix, Kind::directory);  // created on the way, as tar does
    } else if (it->second == Kind::symlink) {
      throw Error("refused: rootfs/" + prefix +
                  " is a symlink; an entry through it could write outside the image");
    } else if (it->second != Kind::directory) {
      throw Error("refused: rootfs/" + prefix + " is not a directory");
    }
  }
}

void SafeExtractor::forget_subtree(const std::string& rel) {
  auto erase_under = [&rel](auto& m) {
    m.erase(rel);
    m.erase(m.lower_bound(rel + "/"), m.lower_bound(rel + "0"));  // '0' follows '/'
  };
  erase_under(tree_);
  erase_under(dir_meta_);
  drop_cached_parent_under(rel);
}

void SafeExtractor::drop_cached_parent_under(const std::string& rel) {
  if (cached_parent_ == rel || starts_with(cached_parent_, rel + "/")) cached_parent_fd_.reset();
}

int SafeExtractor::parent_fd(const std::string& parent_rel) {
  if (cached_parent_fd_ && cached_parent_ == parent_rel) return cached_parent_fd_.get();
  cached_parent_fd_ = open_dir_beneath(rootfs_fd_.get(), parent_rel, true);
  cached_parent_ = parent_rel;
  return cached_parent_fd_.get();
}

void SafeExtractor::remove_existing(int parent, const std::string& leaf, bool new_is_dir,
                                    const std::string& rel) {
  struct stat st;
  if (::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return;
    throw_errno("inspecting " + rel);
  }
  if (S_ISDIR(st.st_mode)) {
    if (new_is_dir) return;  // directories merge
    remove_tree_at(parent, leaf);
    drop_cached_parent_under(rel);
  } else if (::unlinkat(parent, leaf.c_str(), 0) < 0) {
    throw_errno("replacing " + rel);
  }
}

void SafeExtractor::create(const std::string& rel, archive_entry* e, Kind kind,
                           const ReadBlock& read) {
  auto [parent_rel, leaf] = split_parent(rel);
  int parent = parent_fd(parent_rel);
  remove_existing(parent, leaf, kind == Kind::directory, rel);
  bool owners = as_root_ && opts_.preserve_owners;
  uid_t uid = checked_id(archive_entry_uid(e), "uid");
  gid_t gid = checked_id(archive_entry_gid(e), "gid");
  mode_t perm = archive_entry_perm(e) & 07777;
  struct timespec times[2];
  entry_times(e, times);
  const std::string pp = proc_path(parent, leaf);

  switch (kind) {
    case Kind::directory: {
      if (::mkdirat(parent, leaf.c_str(), 0700) < 0 && errno != EEXIST)
        throw_errno("creating directory " + rel);
      UniqueFd fd = openat_fd(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (owners && ::fchown(fd.get(), uid, gid) < 0) throw_errno("setting the owner of " + rel);
      restore_xattrs(fd.get(), {}, e, rel);
      // Modes and times of directories wait for finish(): entries added below would change
      // the times, and a read-only mode would stop a non-root extraction from adding them.
      DirMeta& m = dir_meta_[rel];
      m.mode = perm;
      std::copy(std::begin(times), std::end(times), std::begin(m.times));
      return;
    }
    case Kind::regular:
      return create_regular(parent, leaf, rel, e, read);
    case Kind::symlink: {
      const char* target = archive_entry_symlink(e);
      if (!target || !*target) throw Error("refused: a symlink without a target");
      // Created as it is, even pointing outside: it is never followed while extracting.
      if (::symlinkat(target, parent, leaf.c_str()) < 0) throw_errno("creating symlink " + rel);
      if (owners && ::fchownat(parent, leaf.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        throw_errno("setting the owner of " + rel);
      restore_xattrs(-1, pp, e, rel);
      if (::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0)
        throw_errno("setting the times of " + rel);
      return;
    }
    case Kind::other: {
      mode_t type = archive_entry_filetype(e);
      int rc = type == AE_IFIFO ? ::mkfifoat(parent, leaf.c_str(), 0600)
                                : ::mknodat(parent, leaf.c_str(), type | 0600, archive_entry_rdev(e));
      if (rc < 0) throw_errno("creating " + std::string(type == AE_IFIFO ? "fifo " : "device node ") + rel);
      if (owners && ::fchownat(parent, leaf.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        throw_errno("setting the owner of " + rel);
      // The node was just created by us in a directory held by fd, so it is not a symlink.
      if (!as_root_) perm &= ~mode_t(S_ISUID | S_ISGID);
      if (::fchmodat(parent, leaf.c_str(), perm, 0) < 0) throw_errno("setting the mode of " + rel);
      restore_xattrs(-1, pp, e, rel);
      if (::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0)
        throw_errno("setting the times of " + rel);
      return;
    }
  }
}

void SafeExtractor::create_regular(int parent, const std::string& leaf, const std::string& rel,
                                   archive_entry* e, const ReadBlock& read) {
  UniqueFd fd(::openat(parent, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       0600));
  if (!fd) throw_errno("creating " + rel);
  const void* buf = nullptr;
  size_t size = 0;
  int64_t offset = 0;
  int64_t end = 0;
  while (read(buf, size, offset)) {
    pwrite_all(fd.get(), static_cast<const char*>(buf), size, offset, rel);
    end = std::max<int64_t>(end, offset + static_cast<int64_t>(size));
  }
  // A sparse file's hole at the end has no data block: the size says where it ends.
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > end &&
      ::ftruncate(fd.get(), archive_entry_size(e)) < 0)
    throw_errno("writing " + rel);
  if (as_root_ && opts_.preserve_owners &&
      ::fchown(fd.get(), checked_id(archive_entry_uid(e), "uid"),
               checked_id(archive_entry_gid(e), "gid")) < 0)
    throw_errno("setting the owner of " + rel);
  mode_t perm = archive_entry_perm(e) & 07777;
  if (!as_root_) perm &= ~mode_t(S_ISUID | S_ISGID);
  // After fchown, which clears setuid bits and file capabilities.
  if (::fchmod(fd.get(), perm) < 0) throw_errno("setting the mode of " + rel);
  restore_xattrs(fd.get(), {}, e, rel);
  struct timespec times[2];
  entry_times(e, times);
  if (::futimens(fd.get(), times) < 0) throw_errno("setting the times of " + rel);
}

void SafeExtractor::create_hardlink(int parent, const std::string& leaf,
                                    const std::string& target_rel) {
  auto [tparent_rel, tleaf] = split_parent(target_rel);
  UniqueFd tparent = open_dir_beneath(rootfs_fd_.get(), tparent_rel, false);
  struct stat st;
  if (::fstatat(tparent.get(), tleaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
    throw Error("refused: hardlink to rootfs/" + target_rel + ", which is not a regular file");
  // Without AT_SYMLINK_FOLLOW: links the file itself, never what a symlink names.
  if (::linkat(tparent.get(), tleaf.c_str(), parent, leaf.c_str(), 0) < 0)
    throw_errno("linking to rootfs/" + target_rel);
}

void SafeExtractor::restore_xattrs(int fd, const std::string& path, archive_entry* e,
                                   const std::string& rel) {
  if (archive_entry_xattr_reset(e) == 0) return;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    bool user_attr = starts_with(name, "user.");
    // Other namespaces (security.capability, trusted.*) need privileges a user lacks.
    if (!as_root_ && !user_attr) continue;
    int rc = fd >= 0 ? ::fsetxattr(fd, name, value, size, 0)
                     : ::lsetxattr(path.c_str(), name, value, size, 0);
    if (rc == 0) continue;
    // The kernel forbids user.* attributes on symlinks and device nodes, and some file
    // systems have none: user.* is metadata for tools, never needed to run the image.
    if (user_attr && ((fd < 0 && errno == EPERM) || errno == ENOTSUP)) continue;
    throw_errno("setting extended attribute " + std::string(name) + " on " + rel);
  }
}

std::string SafeExtractor::finish() {
  if (!have_manifest_) {
    Error e("refused: the archive has no manifest entry");
    e.set_hint("an ACI is a tar holding a \"manifest\" file and a \"rootfs/\" directory");
    throw e;
  }
  if (extracting()) {
    cached_parent_fd_.reset();
    // Reverse order puts every directory before its parent, so a parent's time is set last.
    for (auto it = dir_meta_.rbegin(); it != dir_meta_.rend(); ++it) {
      const std::string& rel = it->first;
      const DirMeta& meta = it->second;
      with_context("setting the mode and times of rootfs/" + rel, [&] {
        UniqueFd fd = open_dir_beneath(rootfs_fd_.get(), rel, false);
        mode_t mode = meta.mode;
        if (::fchmod(fd.get(), mode) < 0) throw_errno("fchmod");
        if (::futimens(fd.get(), meta.times) < 0) throw_errno("futimens");
      });
    }
    if (!opts_.rootfs_only) {
      UniqueFd fd = openat_fd(target_fd_.get(), "manifest",
                              O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
      write_all(fd.get(), manifest_text_, "manifest");
    }
  }
  return manifest_text_;
}

}  // namespace pod::aci
