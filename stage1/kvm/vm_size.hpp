// The VM's memory and vCPUs from the apps' isolators (Documentation/kvm.md, "Sizing").
// Each app brings its resource/memory limit (kDefaultAppMemoryMiB without one) and its
// resource/cpu limit rounded up to whole CPUs (one without one); the sum is the VM's
// size, which must reach kMemoryFloorMiB: below it the guest kernel and pod init leave
// the apps nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stage1/common/cgroups/limits.hpp"

namespace pod::stage1::kvm {

inline constexpr int64_t kMemoryFloorMiB = 128;
inline constexpr int64_t kDefaultAppMemoryMiB = 256;

struct VmSize {
  int64_t memory_mib = 0;
  int cpus = 1;
};

// `host_cpus` caps the vCPUs. Throws Error naming the floor when the memory is below it.
[[nodiscard]] VmSize size_vm(const std::vector<cgroups::Limits>& apps, int host_cpus);

}  // namespace pod::stage1::kvm
