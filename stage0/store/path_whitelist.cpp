#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/store/tree_ops.hpp"

namespace pod::store {

namespace {

// "/usr/bin/" -> "usr/bin"; "." and empty components dropped.
std::string relative_of(const std::string& abs) {
  std::vector<std::string> parts;
  for (const auto& p : split(abs, '/'))
    if (!p.empty() && p != ".") parts.push_back(p);
  return join(parts, "/");
}

struct Whitelist {
  std::set<std::string> listed;     // relative paths
  std::set<std::string> ancestors;  // directories leading to a listed path
};

void prune(int dirfd, const std::string& rel, const Whitelist& wl) {
  for (const auto& name : list_dir_at(dirfd, "rootfs/" + rel)) {
    std::string path = rel.empty() ? name : rel + "/" + name;
    bool leads_on = wl.ancestors.count(path) > 0;
    if (leads_on) {
      struct stat st;
      if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        throw_errno("inspecting rootfs/" + path);
      if (S_ISDIR(st.st_mode)) {
        UniqueFd sub = openat_fd(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        prune(sub.get(), path, wl);
        continue;
      }
      // A non-directory where the whitelist expects one: it still is only kept if listed.
    }
    if (wl.listed.count(path)) {
      // A listed directory keeps itself; what it holds must be listed on its own.
      struct stat st;
      if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
          !leads_on) {
        UniqueFd sub = openat_fd(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        prune(sub.get(), path, wl);
      }
      continue;
    }
    remove_tree_at(dirfd, name);
  }
}

}  // namespace

void apply_path_whitelist(int rootfs_dir, const std::vector<std::string>& whitelist) {
  if (whitelist.empty()) return;
  Whitelist wl;
  for (const auto& p : whitelist) {
    std::string rel = relative_of(p);
    if (rel.empty()) continue;
    wl.listed.insert(rel);
    for (auto slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
      wl.ancestors.insert(rel.substr(0, slash));
  }
  prune(rootfs_dir, "", wl);
}

}  // namespace pod::store
