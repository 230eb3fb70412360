#include "stage0/store/workspace.hpp"

#include <sys/stat.h>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::store {

namespace {

std::string tmp_lock_path(const Layout& layout) { return layout.locks() + "/tmp"; }

}  // namespace

Workspace make_workspace(const Layout& layout, const std::string& prefix) {
  FileLock creating = FileLock::acquire(tmp_lock_path(layout), LockMode::shared, true);
  Workspace ws;
  ws.dir = make_temp_dir(layout.tmp(), prefix);
  ws.lock = FileLock::acquire(ws.dir.path(), LockMode::exclusive);
  return ws;
}

int clean_stale_workspaces(const Layout& layout) {
  std::vector<std::pair<std::string, FileLock>> stale;
  {
    FileLock scanning = FileLock::acquire(tmp_lock_path(layout), LockMode::exclusive, true);
    for (const auto& name : list_dir(layout.tmp())) {
      std::string path = layout.tmp() + "/" + name;
      FileLock owner;
      try {
        owner = FileLock::try_acquire(path, LockMode::exclusive);
      } catch (const Error&) {
        continue;  // vanished meanwhile, or unreadable: not ours to judge now
      }
      if (owner.held()) stale.emplace_back(path, std::move(owner));
    }
  }
  int removed = 0;
  for (auto& [path, lock] : stale) {
    remove_tree(path);  // we hold its lock, so no other cleaner races us
    ++removed;
  }
  return removed;
}

FileLock lock_file_checked(const std::string& path, LockMode mode, bool wait) {
  for (;;) {
    FileLock lock =
        wait ? FileLock::acquire(path, mode, true) : FileLock::try_acquire(path, mode, true);
    if (!lock.held()) return lock;
    struct stat held, named;
    if (::fstat(lock.fd(), &held) < 0) throw_errno("inspecting lock " + path);
    if (::stat(path.c_str(), &named) == 0 && named.st_ino == held.st_ino &&
        named.st_dev == held.st_dev)
      return lock;
    // gc unlinked the file while we waited for it: lock the one there now.
  }
}

}  // namespace pod::store
