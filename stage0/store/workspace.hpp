// Work in progress under cas/tmp, and the locks that tell live work from the
// leftovers of a killed command. Internal to stage0/store.
//
// Every entry of cas/tmp is flock'ed by the process working in it for as long
// as it works. Creating an entry and locking it happen under a shared lock on
// cas/lock/tmp; a cleaner scans under the exclusive lock, so any entry it can
// lock is a leftover (its owner died, and the kernel dropped the lock).
#pragma once

#include <string>
#include <vector>

#include "common/flock.hpp"
#include "common/temp_path.hpp"
#include "stage0/store/layout.hpp"

namespace pod::store {

struct Workspace {
  FileLock lock;  // declared first: released after the directory is removed
  TempPath dir;
  [[nodiscard]] const std::string& path() const noexcept { return dir.path(); }
};

[[nodiscard]] Workspace make_workspace(const Layout& layout, const std::string& prefix);

// Removes leftovers of killed commands; returns how many entries it removed.
int clean_stale_workspaces(const Layout& layout);

// Locks a lock file that gc may unlink: retries until the lock is held on the
// file the path names now. Creates the file. Invalid lock when !wait and busy.
[[nodiscard]] FileLock lock_file_checked(const std::string& path, LockMode mode, bool wait);

}  // namespace pod::store
