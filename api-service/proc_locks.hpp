// Which files are exclusively flock'ed right now, read from /proc/locks.
//
// A pod's state depends on whether somebody holds its directory's lock. `pod list`
// probes the lock itself, but the api-service must not: a probe that coincides with
// `pod gc` trying the lock makes gc skip the pod, and a service answering a hundred
// clients would probe all the time. /proc/locks tells the same without touching it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace pod::api {

// (st_dev, st_ino) of a file, as stat(2) reports them.
using FileKey = std::pair<uint64_t, uint64_t>;

class LockTable {
 public:
  // Parses /proc/locks text; keeps granted FLOCK write locks (waiters, "->", are not holders).
  [[nodiscard]] static LockTable parse(std::string_view text);
  // Reads /proc/locks now.
  [[nodiscard]] static LockTable read();

  [[nodiscard]] bool locked(FileKey key) const { return held_.count(key) > 0; }
  [[nodiscard]] size_t size() const { return held_.size(); }

 private:
  std::set<FileKey> held_;
};

// stat(2) of a path as a FileKey; nullopt-like {0,0} when it does not exist.
[[nodiscard]] FileKey file_key(const std::string& path);

}  // namespace pod::api
