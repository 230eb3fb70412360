#include "stage1/kvm/vm_size.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace pod::stage1::kvm {

VmSize size_vm(const std::vector<cgroups::Limits>& apps, int host_cpus) {
  constexpr int64_t kMiB = 1024 * 1024;
  VmSize s;
  int64_t bytes = 0;
  int64_t cpus = 0;
  for (const auto& a : apps) {
    bytes += a.memory_bytes.value_or(kDefaultAppMemoryMiB * kMiB);
    cpus += a.cpu_quota_millis ? (*a.cpu_quota_millis + 999) / 1000 : 1;
  }
  s.memory_mib = (bytes + kMiB - 1) / kMiB;
  if (s.memory_mib < kMemoryFloorMiB) {
    Error err("the pod's memory (" + std::to_string(s.memory_mib) + " MiB, the sum of its apps' resource/memory "
              "limits) is below stage1-kvm's floor of " + std::to_string(kMemoryFloorMiB) + " MiB");
    err.set_hint("raise the apps' memory limits (--memory=) to " + std::to_string(kMemoryFloorMiB) +
                 " MiB in all, or run the pod with another stage1 flavor");
    throw err;
  }
  s.cpus = static_cast<int>(std::clamp<int64_t>(cpus, 1, std::max(1, host_cpus)));
  return s;
}

}  // namespace pod::stage1::kvm
