// Whether /dev/kvm can run a guest: a child process runs three instructions in a fresh
// VM and must see the vCPU halt within the time-out. On some hosts /dev/kvm opens and
// creates VMs, yet a nested guest never runs (KVM_RUN hangs), which only running one shows.
#pragma once

#include <string>

namespace pod::stage1::kvm {

struct KvmProbe {
  bool usable = false;
  std::string reason;  // why not, for the one-line warning
};

[[nodiscard]] KvmProbe probe_kvm(int timeout_ms = 1000);

}  // namespace pod::stage1::kvm
