#include "stage1/nspawn/pod_process.hpp"

#include <deque>
#include <vector>

#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/nspawn/layout.hpp"

namespace pod::stage1::nspawn {
namespace {

std::string read_or_empty(const std::string& path) {
  try {
    return read_file(path);
  } catch (const std::exception&) {
    return {};  // the process is gone
  }
}

}  // namespace

std::vector<pid_t> parse_nspids(std::string_view status) {
  std::vector<pid_t> out;
  for (const auto& line : split(status, '\n')) {
    if (!starts_with(line, "NSpid:")) continue;
    for (auto w : split(line.substr(6), '\t')) {
      auto t = trim(w);
      if (!t.empty()) out.push_back(static_cast<pid_t>(std::stol(std::string(t))));
    }
  }
  return out;
}

std::optional<pid_t> find_container_init(pid_t nspawn, const std::string& uuid) {
  std::deque<pid_t> queue{nspawn};
  int visited = 0;
  while (!queue.empty() && visited++ < 64) {
    pid_t p = queue.front();
    queue.pop_front();
    if (p != nspawn) {
      auto ids = parse_nspids(read_or_empty("/proc/" + std::to_string(p) + "/status"));
      if (ids.size() >= 2 && ids.back() == 1) return is_pod_init(p, uuid) ? std::optional<pid_t>(p) : std::nullopt;
    }
    std::string children = read_or_empty("/proc/" + std::to_string(p) + "/task/" + std::to_string(p) + "/children");
    for (const auto& c : split(children, ' ')) {
      auto t = trim(c);
      if (!t.empty()) queue.push_back(static_cast<pid_t>(std::stol(std::string(t))));
    }
  }
  return std::nullopt;
}

bool is_pod_init(pid_t pid, const std::string& uuid) {
  std::string cmdline = read_or_empty("/proc/" + std::to_string(pid) + "/cmdline");
  auto args = split(cmdline, '\0');
  bool init = !args.empty() && args.front() == kInitPath;
  bool ours = false;
  for (const auto& a : args) ours = ours || a == "--uuid=" + uuid;
  return init && ours;
}

}  // namespace pod::stage1::nspawn
