#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/store/tree_ops.hpp"

namespace pod::store {

namespace {

// The upper layer's directory wins: owner, mode and times as it has them.
void copy_dir_metadata(int dst_dir, const std::string& name, const struct stat& from,
                       const std::string& shown) {
  if (::fchownat(dst_dir, name.c_str(), from.st_uid, from.st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
      errno != EPERM)  // as a user we cannot give files away; the layer's mode still applies
    throw_errno("setting owner of " + shown);
  if (::fchmodat(dst_dir, name.c_str(), from.st_mode & 07777, 0) < 0)
    throw_errno("setting mode of " + shown);
  struct timespec times[2] = {from.st_atim, from.st_mtim};
  if (::utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0)
    throw_errno("setting times of " + shown);
}

}  // namespace

void merge_layer(int src_dir, int dst_dir, const std::string& shown) {
  for (const auto& name : list_dir_at(src_dir, shown)) {
    std::string where = shown + "/" + name;
    struct stat upper;
    if (::fstatat(src_dir, name.c_str(), &upper, AT_SYMLINK_NOFOLLOW) < 0)
      throw_errno("inspecting layer entry " + where);
    struct stat lower;
    bool exists = ::fstatat(dst_dir, name.c_str(), &lower, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) throw_errno("inspecting " + where);
    if (exists && S_ISDIR(upper.st_mode) && S_ISDIR(lower.st_mode)) {
      UniqueFd sub_src = openat_fd(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      UniqueFd sub_dst = openat_fd(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      merge_layer(sub_src.get(), sub_dst.get(), where);
      copy_dir_metadata(dst_dir, name, upper, where);
      continue;
    }
    if (exists && S_ISDIR(lower.st_mode)) {
      remove_tree_at(dst_dir, name);
    } else if (exists && S_ISDIR(upper.st_mode)) {
      // rename(2) moves a directory only onto nothing or an empty directory.
      if (::unlinkat(dst_dir, name.c_str(), 0) < 0) throw_errno("replacing " + where);
    }
    if (::renameat(src_dir, name.c_str(), dst_dir, name.c_str()) < 0)
      throw_errno("moving layer entry into " + where);
  }
}

uint64_t disk_usage(const std::string& path) {
  struct stat top;
  if (::lstat(path.c_str(), &top) < 0) {
    if (errno == ENOENT) return 0;
    throw_errno("inspecting " + path);
  }
  uint64_t total = static_cast<uint64_t>(top.st_blocks) * 512;
  if (!S_ISDIR(top.st_mode)) return total;
  // Iterative walk: deep trees must not exhaust the stack.
  std::vector<std::pair<UniqueFd, std::string>> pending;
  pending.emplace_back(open_fd(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW), path);
  while (!pending.empty()) {
    auto [dir, shown] = std::move(pending.back());
    pending.pop_back();
    for (const auto& name : list_dir_at(dir.get(), shown)) {
      struct stat st;
      if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;  // vanished
      total += static_cast<uint64_t>(st.st_blocks) * 512;
      if (S_ISDIR(st.st_mode) && st.st_dev == top.st_dev)
        pending.emplace_back(openat_fd(dir.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW),
                             shown + "/" + name);
    }
  }
  return total;
}

}  // namespace pod::store
