// Which cgroup hierarchies a process is in (/proc/self/cgroup), and which one serves a
// controller: a v1 hierarchy that lists it, else the unified (v2) hierarchy when its
// cgroup.controllers lists it. A hybrid host (v1 controllers + cgroup2 for tracking) and
// a pure v2 host both fit this one rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pod::stage1::cgroups {

struct Hierarchy {
  int id = 0;                             // 0: the unified hierarchy
  std::vector<std::string> controllers;   // v1: "cpu", "cpuacct", "name=systemd"...
  std::string path;                       // the process's cgroup in it, e.g. "/a/b"
  [[nodiscard]] bool unified() const noexcept { return id == 0; }
  // mount(2) data for a v1 hierarchy: its controllers joined by commas.
  [[nodiscard]] std::string mount_options() const;
};

// Parses /proc/<pid>/cgroup; a malformed line is an Error naming it.
[[nodiscard]] std::vector<Hierarchy> parse_proc_cgroup(std::string_view text);

// The v1 hierarchy carrying `controller`, or nullptr.
[[nodiscard]] const Hierarchy* v1_hierarchy_for(const std::vector<Hierarchy>& hs,
                                                std::string_view controller);
[[nodiscard]] const Hierarchy* unified_hierarchy(const std::vector<Hierarchy>& hs);

// The words of a cgroup.controllers file.
[[nodiscard]] std::vector<std::string> parse_controllers(std::string_view text);

}  // namespace pod::stage1::cgroups
