// The cgroups of a pod's apps, as pod init sees them from inside the pod's cgroup
// namespace: for each controller an isolator needs (memory, cpu, pids) the hierarchy
// that serves it, v1 or v2, and one cgroup per app below the pod's own. The unified
// hierarchy, when there is one, also holds every app (so a whole app can be killed at
// once, and gc finds what is left).
#pragma once

#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage1/common/cgroups/hierarchy.hpp"
#include "stage1/common/cgroups/limits.hpp"

namespace pod::stage1::cgroups {

struct ControllerRoot {
  std::string controller;  // memory, cpu, pids
  std::string dir;         // the pod's cgroup in the hierarchy serving it
  bool v2 = false;
};

// The name of pod init's own leaf cgroup in a v2 hierarchy whose controllers it enables
// for the apps (v2 lets only leaves hold processes). Not a valid app name (appc's app
// names have no underscore), so it never meets an app's cgroup.
inline constexpr const char* kInitLeaf = "_pod-init";

class PodCgroups {
 public:
  // Mounts the hierarchies of `own` (this process's /proc/self/cgroup) under `base`
  // (base/<controllers> for v1, base/unified for v2) and, on v2, moves this process to its
  // leaf and enables the controllers the apps need that the hierarchy offers.
  [[nodiscard]] static PodCgroups mount_all(const std::string& base,
                                            const std::vector<Hierarchy>& own, const Logger& log);
  PodCgroups(std::vector<ControllerRoot> roots, std::string unified)
      : roots_(std::move(roots)), unified_(std::move(unified)) {}

  // Refuses limits a missing controller could not enforce, naming the app and controller.
  void check(const Limits& limits, const std::string& app) const;
  // Creates the app's cgroups and writes its limits. Returns the cgroup.procs files the
  // app's process writes "0" to (joining) before it execs.
  [[nodiscard]] std::vector<std::string> create_app(const std::string& app, const Limits& limits) const;
  // Whether the kernel's OOM killer killed a process of the app (memory.events or
  // memory.oom_control say so).
  [[nodiscard]] bool oom_killed(const std::string& app) const;
  // SIGKILL to whatever is left in the app's cgroups.
  void kill_app(const std::string& app) const;
  // Kills what is left, then removes the app's cgroups.
  void remove_app(const std::string& app) const;
  // "memory=v1 cpu=v1 pids=v1 unified=yes", for --debug.
  [[nodiscard]] std::string describe() const;

 private:
  [[nodiscard]] std::vector<std::string> app_dirs(const std::string& app) const;
  [[nodiscard]] const ControllerRoot* root_for(const std::string& controller) const;

  std::vector<ControllerRoot> roots_;
  std::string unified_;  // the pod's cgroup in the unified hierarchy, or empty
};

}  // namespace pod::stage1::cgroups
