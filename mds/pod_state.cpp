#include "mds/pod_state.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::mds {

bool flock_held(const std::string& proc_locks, unsigned long long dev_major, unsigned long long dev_minor,
                unsigned long long inode) {
  std::istringstream in(proc_locks);
  std::string line;
  while (std::getline(in, line)) {
    // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; "1: -> FLOCK ..." is a waiter.
    std::istringstream f(line);
    std::string id, kind, advisory, mode, pid, where;
    if (!(f >> id >> kind) || kind != "FLOCK") continue;
    if (!(f >> advisory >> mode >> pid >> where)) continue;
    if (mode != "WRITE") continue;  // `pod list` probing a dead pod's lock is not its run
    unsigned long long maj = 0, min = 0, ino = 0;
    if (std::sscanf(where.c_str(), "%llx:%llx:%llu", &maj, &min, &ino) != 3) continue;
    if (maj == dev_major && min == dev_minor && ino == inode) return true;
  }
  return false;
}

bool pod_running(const std::string& pod_dir) {
  struct stat st {};
  if (::stat(pod_dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return false;
  std::string locks;
  try {
    locks = read_file("/proc/locks");
  } catch (const Error&) {
    return true;  // cannot tell: keep the pod rather than cut off a live one
  }
  return flock_held(locks, major(st.st_dev), minor(st.st_dev), st.st_ino);
}

std::vector<std::string> pod_addresses(const std::string& pod_dir) {
  std::vector<std::string> out;
  std::string text;
  try {
    text = read_file(pod_dir + "/net-info.json");
  } catch (const Error&) {
    return out;
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& n : j)
    if (n.is_object() && n.contains("ip") && n["ip"].is_string()) out.push_back(n["ip"].get<std::string>());
  return out;
}

}  // namespace pod::mds
