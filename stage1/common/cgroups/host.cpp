#include "stage1/common/cgroups/host.hpp"

#include <unistd.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/group.hpp"

namespace pod::stage1::cgroups {
namespace {

constexpr const char* kControllers[] = {"memory", "cpu", "pids"};

// mountinfo escapes spaces and the like as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string hierarchy_mount_point(std::string_view mountinfo, const Hierarchy& h) {
  for (const auto& line : split(mountinfo, '\n')) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto left = split(line.substr(0, dash), ' ');
    auto right = split(line.substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    if (left[3] != "/") continue;  // a bind of a sub-cgroup: not the hierarchy's root
    const std::string& fstype = right[0];
    if (h.unified()) {
      if (fstype == "cgroup2") return unescape(left[4]);
      continue;
    }
    if (fstype != "cgroup") continue;
    auto opts = split(right[2], ',');
    bool all = std::all_of(h.controllers.begin(), h.controllers.end(), [&](const std::string& c) {
      return std::find(opts.begin(), opts.end(), c) != opts.end();
    });
    if (all) return unescape(left[4]);
  }
  return {};
}

std::vector<std::string> pod_cgroup_dirs(std::string_view mountinfo, const std::vector<Hierarchy>& own,
                                         const std::string& uuid) {
  std::vector<const Hierarchy*> used;
  for (const char* c : kControllers) {
    const Hierarchy* h = v1_hierarchy_for(own, c);
    if (h != nullptr && std::find(used.begin(), used.end(), h) == used.end()) used.push_back(h);
  }
  // systemd-nspawn makes a cgroup of the machine's name in systemd's own v1 hierarchy.
  const Hierarchy* systemd = v1_hierarchy_for(own, "name=systemd");
  if (systemd != nullptr) used.push_back(systemd);
  if (const Hierarchy* u = unified_hierarchy(own)) used.push_back(u);
  std::vector<std::string> dirs;
  for (const Hierarchy* h : used) {
    std::string mp = hierarchy_mount_point(mountinfo, *h);
    if (mp.empty()) continue;
    std::string base = h->path == "/" ? mp : mp + h->path;
    dirs.push_back(base + "/pod-" + uuid);
  }
  return dirs;
}

void join_cgroups(const std::vector<std::string>& dirs) {
  for (const auto& d : dirs) {
    create_group(d);
    write_control(d, "cgroup.procs", std::to_string(getpid()));
  }
}

std::vector<std::string> remove_cgroups(const std::vector<std::string>& dirs, int timeout_ms) {
  std::vector<std::string> left;
  for (const auto& d : dirs) {
    (void)kill_group(d, timeout_ms);
    if (!remove_group(d)) left.push_back(d);
  }
  return left;
}

}  // namespace pod::stage1::cgroups
