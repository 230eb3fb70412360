// Operations on one cgroup directory, the same for v1 and v2: create, write a control
// file, join, kill everything in it, remove it. Used by pod init (inside the pod's cgroup
// namespace) and by gc (on the host's paths).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pod::stage1::cgroups {

void create_group(const std::string& dir);
// Errors name the file and the value (e.g. a memory limit the kernel refuses).
void write_control(const std::string& dir, const std::string& file, const std::string& value);
// The pids in the cgroup (not its children).
[[nodiscard]] std::vector<pid_t> group_pids(const std::string& dir);
// SIGKILL to every process in the cgroup and its children (cgroup.kill where the kernel
// has it), then waits up to `timeout_ms` until none is left; true when empty.
bool kill_group(const std::string& dir, int timeout_ms);
// rmdir of the cgroup and its children, deepest first. A missing directory is fine.
// Returns false (leaving it) when a cgroup still holds processes.
bool remove_group(const std::string& dir);

}  // namespace pod::stage1::cgroups
