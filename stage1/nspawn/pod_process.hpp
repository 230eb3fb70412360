// Finding pod init (the container's PID 1) on the host: a descendant of systemd-nspawn
// whose pid in its own namespace is 1. Its host pid is what the pod's `pid` file holds,
// so enter joins its namespaces and stop signals it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::stage1::nspawn {

// The pids of /proc/<pid>/status's NSpid line ("NSpid:\t4242\t1" -> {4242, 1}).
[[nodiscard]] std::vector<pid_t> parse_nspids(std::string_view status);

// The first descendant of `nspawn` (searched breadth first through
// /proc/<pid>/task/<pid>/children) that is PID 1 of a namespace of its own and already
// runs pod init (nspawn's child is PID 1 a moment before it executes it).
[[nodiscard]] std::optional<pid_t> find_container_init(pid_t nspawn, const std::string& uuid);

// Whether `pid` is the pod init of pod `uuid` (its command line names both), so a stale
// pid file whose pid was reused never leads into another process.
[[nodiscard]] bool is_pod_init(pid_t pid, const std::string& uuid);

}  // namespace pod::stage1::nspawn
