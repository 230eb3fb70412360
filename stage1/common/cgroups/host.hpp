// The pod's cgroups on the host, made by the run entrypoint before it starts the sandbox:
// in each hierarchy pod init uses (the v1 ones carrying memory, cpu or pids, and the
// unified one, and systemd's name=systemd where nspawn keeps one of its own), a cgroup
// "pod-<uuid>" below the caller's own, so the pod stays inside
// whatever accounting and limits the caller (a systemd unit, a CI job) is under. Its
// paths are recorded in the pod directory first, so gc finds them after a kill -9.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stage1/common/cgroups/hierarchy.hpp"

namespace pod::stage1::cgroups {

// Where a hierarchy is mounted (from /proc/self/mountinfo text); empty when it is not.
[[nodiscard]] std::string hierarchy_mount_point(std::string_view mountinfo, const Hierarchy& h);

// The pod's cgroup directories for `own` (this process's /proc/self/cgroup).
[[nodiscard]] std::vector<std::string> pod_cgroup_dirs(std::string_view mountinfo,
                                                       const std::vector<Hierarchy>& own,
                                                       const std::string& uuid);

// Creates them and moves the calling process in (for the sandbox's process, before exec).
void join_cgroups(const std::vector<std::string>& dirs);

// Kills whatever is left in them (children included) and removes them; returns the ones
// that could not be removed.
[[nodiscard]] std::vector<std::string> remove_cgroups(const std::vector<std::string>& dirs, int timeout_ms);

}  // namespace pod::stage1::cgroups
