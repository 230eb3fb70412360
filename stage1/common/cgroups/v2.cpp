// cgroup v2: one hierarchy; the controllers must be enabled in the parent's
// cgroup.subtree_control (see hierarchy.cpp), and cpu.max holds "quota period".
#include "stage1/common/cgroups/settings.hpp"

namespace pod::stage1::cgroups {

namespace {
constexpr int64_t kCpuPeriodUs = 100000;
}

int64_t weight_from_shares(int64_t shares) {
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::vector<Setting> v2_settings(const Limits& l) {
  std::vector<Setting> out;
  if (l.memory_bytes) {
    out.push_back({"memory", "memory.max", std::to_string(*l.memory_bytes)});
    // As v1's limit_in_bytes: past the limit the OOM killer acts, the app is not swapped out.
    out.push_back({"memory", "memory.swap.max", "0"});
  }
  if (l.cpu_quota_millis)
    out.push_back({"cpu", "cpu.max",
                   std::to_string(*l.cpu_quota_millis * kCpuPeriodUs / 1000) + " " + std::to_string(kCpuPeriodUs)});
  if (l.cpu_shares) out.push_back({"cpu", "cpu.weight", std::to_string(weight_from_shares(*l.cpu_shares))});
  if (l.pids_max) out.push_back({"pids", "pids.max", std::to_string(*l.pids_max)});
  return out;
}

}  // namespace pod::stage1::cgroups
