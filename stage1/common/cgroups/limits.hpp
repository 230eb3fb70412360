// What an app's isolators ask of the cgroup controllers, independent of the cgroup
// version that enforces it (v1.hpp and v2.hpp turn it into control files).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "aci/manifest.hpp"

namespace pod::stage1::cgroups {

// A pod-specific isolator (appc has none for the pids controller): {"max": N}.
inline constexpr const char* kIsolatorPidsLimit = "pod.dev/pids-limit";

struct Limits {
  std::optional<int64_t> memory_bytes;      // resource/memory limit
  std::optional<int64_t> cpu_quota_millis;  // resource/cpu limit, in millicores
  std::optional<int64_t> cpu_shares;        // os/linux/cpu-shares (2..262144)
  std::optional<int64_t> pids_max;          // pod.dev/pids-limit, else the default
};

// The limits of `app` (the effective app: image isolators with the pod manifest's laid
// over). A value the kernel cannot take (a memory limit under one page, a CPU limit under
// 1m, a pids limit under 1) is an Error naming the app, the isolator and the value.
// `default_pids_max` applies when the app sets none (0: no default).
[[nodiscard]] Limits limits_of(const aci::App& app, const std::string& app_name,
                               int64_t default_pids_max);

// systemd's DefaultTasksMax: 15% of kernel.pid_max, so one app's fork bomb cannot take
// every pid of the host.
[[nodiscard]] int64_t default_pids_max(int64_t kernel_pid_max);

}  // namespace pod::stage1::cgroups
