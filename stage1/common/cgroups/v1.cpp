// cgroup v1: one hierarchy per controller (or a few together); limits in bytes and
// microseconds of CPU per period.
#include "stage1/common/cgroups/settings.hpp"

namespace pod::stage1::cgroups {

namespace {
constexpr int64_t kCfsPeriodUs = 100000;  // the kernel's default period
}

std::vector<Setting> v1_settings(const Limits& l) {
  std::vector<Setting> out;
  if (l.memory_bytes) out.push_back({"memory", "memory.limit_in_bytes", std::to_string(*l.memory_bytes)});
  if (l.cpu_quota_millis) {
    out.push_back({"cpu", "cpu.cfs_period_us", std::to_string(kCfsPeriodUs)});
    out.push_back({"cpu", "cpu.cfs_quota_us", std::to_string(*l.cpu_quota_millis * kCfsPeriodUs / 1000)});
  }
  if (l.cpu_shares) out.push_back({"cpu", "cpu.shares", std::to_string(*l.cpu_shares)});
  if (l.pids_max) out.push_back({"pids", "pids.max", std::to_string(*l.pids_max)});
  return out;
}

}  // namespace pod::stage1::cgroups
