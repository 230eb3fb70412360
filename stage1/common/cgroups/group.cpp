#include "stage1/common/cgroups/group.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::stage1::cgroups {
namespace {

std::vector<std::string> child_groups(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") out.push_back(dir + "/" + name);
  }
  closedir(d);
  return out;
}

void sleep_ms(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

bool empty_tree(const std::string& dir) {
  if (!group_pids(dir).empty()) return false;
  for (const auto& c : child_groups(dir))
    if (!empty_tree(c)) return false;
  return true;
}

void kill_tree(const std::string& dir) {
  for (pid_t p : group_pids(dir)) (void)::kill(p, SIGKILL);  // ESRCH: it is gone already
  for (const auto& c : child_groups(dir)) kill_tree(c);
}

}  // namespace

void create_group(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("creating cgroup " + dir);
}

void write_control(const std::string& dir, const std::string& file, const std::string& value) {
  std::string path = dir + "/" + file;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno("opening cgroup control file " + path);
  if (::write(fd.get(), value.data(), value.size()) < 0)
    throw_errno("writing \"" + value + "\" to " + path);
}

std::vector<pid_t> group_pids(const std::string& dir) {
  std::vector<pid_t> out;
  UniqueFd fd(::open((dir + "/cgroup.procs").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return out;
  for (const auto& line : split(read_all(fd.get(), dir + "/cgroup.procs"), '\n')) {
    if (!line.empty()) out.push_back(static_cast<pid_t>(std::stol(line)));
  }
  return out;
}

bool kill_group(const std::string& dir, int timeout_ms) {
  if (!is_directory(dir)) return true;
  bool have_kill = path_exists(dir + "/cgroup.kill");
  for (int waited = 0;; waited += 10) {
    if (empty_tree(dir)) return true;
    if (have_kill) {
      try {
        write_control(dir, "cgroup.kill", "1");
      } catch (const Error&) {
        kill_tree(dir);  // a read-only mount or an old kernel: one by one
      }
    } else {
      kill_tree(dir);  // repeated: a process may have forked meanwhile
    }
    if (waited >= timeout_ms) return empty_tree(dir);
    sleep_ms(10);
  }
}

bool remove_group(const std::string& dir) {
  if (!is_directory(dir)) return true;
  bool ok = true;
  for (const auto& c : child_groups(dir)) ok = remove_group(c) && ok;
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) ok = false;
  return ok;
}

}  // namespace pod::stage1::cgroups
