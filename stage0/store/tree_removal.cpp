#include <stdio.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/store/tree_ops.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

std::optional<uint64_t> remove_tree_if_unheld(Sqlite& db, const Layout& layout,
                                              const std::string& tree_id) {
  return with_context("removing rendered tree " + tree_id, [&]() -> std::optional<uint64_t> {
    std::string lock_path = layout.tree_lock(tree_id);
    FileLock lock = lock_file_checked(lock_path, LockMode::exclusive, false);
    if (!lock.held()) return std::nullopt;
    std::string dir = layout.tree(tree_id);
    uint64_t bytes = 0;
    Workspace doomed;  // destroyed first (declared last): the files go while we hold the lock
    if (path_exists(dir)) {
      bytes = disk_usage(dir);
      doomed = make_workspace(layout, "rm-");
      // One rename makes the tree vanish at once; deleting its files can take a while.
      if (::rename(dir.c_str(), (doomed.path() + "/tree").c_str()) < 0)
        throw_errno("moving " + dir + " out of the way");
    }
    db.prepare("DELETE FROM trees WHERE id=?1").bind(1, tree_id).run();
    // Waiters on this lock notice the file is gone and lock the next one (lock_file_checked).
    if (::unlink(lock_path.c_str()) < 0 && errno != ENOENT) throw_errno("removing " + lock_path);
    return bytes;
  });
}

}  // namespace pod::store
