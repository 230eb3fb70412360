#include "stage1/common/cgroups/pod_cgroups.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/group.hpp"
#include "stage1/common/cgroups/settings.hpp"

namespace pod::stage1::cgroups {
namespace {

constexpr const char* kControllers[] = {"memory", "cpu", "pids"};

void mount_cgroup(const std::string& fstype, const std::string& dir, const std::string& options) {
  make_dirs(dir);
  if (::mount("cgroup", dir.c_str(), fstype.c_str(), MS_NOSUID | MS_NODEV | MS_NOEXEC,
              options.empty() ? nullptr : options.c_str()) != 0)
    throw_errno("mounting " + fstype + (options.empty() ? "" : " (" + options + ")") + " at " + dir);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "oom_kill N" in memory.events (v2) or memory.oom_control (v1).
bool counts_oom_kill(const std::string& file) {
  if (!path_exists(file)) return false;
  for (const auto& line : split(read_file(file), '\n')) {
    if (starts_with(line, "oom_kill ")) return line != "oom_kill 0";
  }
  return false;
}

}  // namespace

PodCgroups PodCgroups::mount_all(const std::string& base, const std::vector<Hierarchy>& own,
                                 const Logger& log) {
  std::vector<ControllerRoot> roots;
  std::vector<std::string> mounted;  // v1 mount dirs already made
  for (const char* c : kControllers) {
    const Hierarchy* h = v1_hierarchy_for(own, c);
    if (h == nullptr) continue;
    std::string dir = base + "/" + h->mount_options();
    if (!contains(mounted, dir)) {
      with_context("cgroup v1 " + h->mount_options(), [&] { mount_cgroup("cgroup", dir, h->mount_options()); });
      mounted.push_back(dir);
    }
    roots.push_back({c, dir, false});
  }
  std::string unified;
  if (unified_hierarchy(own) != nullptr) {
    unified = base + "/unified";
    with_context("cgroup v2", [&] { mount_cgroup("cgroup2", unified, ""); });
    auto offered = parse_controllers(read_file(unified + "/cgroup.controllers"));
    std::vector<std::string> wanted;
    for (const char* c : kControllers) {
      bool in_v1 = std::any_of(roots.begin(), roots.end(), [&](const ControllerRoot& r) { return r.controller == c; });
      if (!in_v1 && contains(offered, c)) wanted.emplace_back(c);
    }
    if (!wanted.empty()) {
      // v2 lets only leaves hold processes: pod init moves to a leaf of its own before it
      // enables the controllers for the apps' cgroups.
      with_context("cgroup v2: moving pod init to its leaf", [&] {
        create_group(unified + "/" + kInitLeaf);
        write_control(unified + "/" + kInitLeaf, "cgroup.procs", std::to_string(getpid()));
      });
      std::string enable;
      for (const auto& c : wanted) enable += (enable.empty() ? "+" : " +") + c;
      write_control(unified, "cgroup.subtree_control", enable);
      for (const auto& c : wanted) roots.push_back({c, unified, true});
    }
  }
  PodCgroups out(std::move(roots), std::move(unified));
  log.debug("pod init: cgroups " + out.describe());
  return out;
}

const ControllerRoot* PodCgroups::root_for(const std::string& controller) const {
  for (const auto& r : roots_)
    if (r.controller == controller) return &r;
  return nullptr;
}

void PodCgroups::check(const Limits& l, const std::string& app) const {
  auto need = [&](bool wanted, const char* controller, const char* isolator) {
    if (!wanted || root_for(controller) != nullptr) return;
    Error err("app " + app + ": isolator " + isolator + " needs the cgroup controller \"" + controller +
              "\", which this host does not offer (neither a v1 hierarchy nor in cgroup2's cgroup.controllers)");
    err.set_hint("enable the controller on the host, or remove the isolator");
    throw err;
  };
  need(l.memory_bytes.has_value(), "memory", "resource/memory");
  need(l.cpu_quota_millis.has_value(), "cpu", "resource/cpu");
  need(l.cpu_shares.has_value(), "cpu", "os/linux/cpu-shares");
}

std::vector<std::string> PodCgroups::app_dirs(const std::string& app) const {
  std::vector<std::string> dirs;
  for (const auto& r : roots_)
    if (!contains(dirs, r.dir + "/" + app)) dirs.push_back(r.dir + "/" + app);
  if (!unified_.empty() && !contains(dirs, unified_ + "/" + app)) dirs.push_back(unified_ + "/" + app);
  return dirs;
}

std::vector<std::string> PodCgroups::create_app(const std::string& app, const Limits& limits) const {
  return with_context("app " + app + ": setting up its cgroups", [&] {
    std::vector<std::string> procs;
    for (const auto& d : app_dirs(app)) {
      create_group(d);
      procs.push_back(d + "/cgroup.procs");
    }
    auto apply = [&](const std::vector<Setting>& settings, bool v2) {
      for (const auto& s : settings) {
        const ControllerRoot* r = root_for(s.controller);
        if (r == nullptr || r->v2 != v2) continue;  // unlimited, or the other version serves it
        // memory.swap.max is absent where swap accounting is off; nothing to limit then.
        if (s.file == "memory.swap.max" && !path_exists(r->dir + "/" + app + "/" + s.file)) continue;
        write_control(r->dir + "/" + app, s.file, s.value);
      }
    };
    apply(v1_settings(limits), false);
    apply(v2_settings(limits), true);
    return procs;
  });
}

bool PodCgroups::oom_killed(const std::string& app) const {
  const ControllerRoot* r = root_for("memory");
  if (r == nullptr) return false;
  std::string dir = r->dir + "/" + app;
  return counts_oom_kill(dir + (r->v2 ? "/memory.events" : "/memory.oom_control"));
}

void PodCgroups::kill_app(const std::string& app) const {
  for (const auto& d : app_dirs(app)) (void)kill_group(d, 0);
}

void PodCgroups::remove_app(const std::string& app) const {
  for (const auto& d : app_dirs(app)) {
    (void)kill_group(d, 1000);
    (void)remove_group(d);  // what cannot go now goes with the pod's cgroup (gc)
  }
}

std::string PodCgroups::describe() const {
  std::string out;
  for (const auto& r : roots_) out += r.controller + (r.v2 ? "=v2 " : "=v1 ");
  out += unified_.empty() ? "unified=no" : "unified=yes";
  return out;
}

}  // namespace pod::stage1::cgroups
