// Control files to write into an app's cgroup: one list per cgroup version.
#pragma once

#include <string>
#include <vector>

#include "stage1/common/cgroups/limits.hpp"

namespace pod::stage1::cgroups {

struct Setting {
  std::string controller;  // "memory", "cpu", "pids": which hierarchy the file lives in (v1)
  std::string file;        // e.g. "memory.limit_in_bytes"
  std::string value;
};

// cgroup v1 (v1.cpp): memory.limit_in_bytes, cpu.cfs_{period,quota}_us, cpu.shares, pids.max.
[[nodiscard]] std::vector<Setting> v1_settings(const Limits& limits);
// cgroup v2 (v2.cpp): memory.max (and memory.swap.max, so the limit is not swap), cpu.max,
// cpu.weight, pids.max.
[[nodiscard]] std::vector<Setting> v2_settings(const Limits& limits);
// cpu.shares (2..262144, default 1024) to cpu.weight (1..10000, default 100), the
// conversion systemd and the OCI runtimes use.
[[nodiscard]] int64_t weight_from_shares(int64_t shares);

}  // namespace pod::stage1::cgroups
