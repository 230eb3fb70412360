// What run decides before qemu starts: the VM's size, the volumes to share, the
// guest's configuration (pod init's command line included) and the pod's networks.
#pragma once

#include <vector>

#include "common/log.hpp"
#include "stage1/common/net/pod_network.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/kvm/guest_config.hpp"
#include "stage1/kvm/qemu_command.hpp"
#include "stage1/kvm/vm_size.hpp"
#include "stage1/nspawn/options.hpp"

namespace pod::stage1::kvm {

struct RunPlan {
  VmSize size;
  std::vector<ShareSpec> volumes;  // host volumes, each its own 9p share
  GuestConfig guest;
};

// Throws Error for a pod below the memory floor or a host volume that is no directory.
[[nodiscard]] RunPlan plan_run(const PodLayout& pod, const nspawn::RunOptions& o);

// CNI networks as nspawn's (stage1/common/net); --net=host is refused: a VM has its own
// kernel, so it cannot share the host's network stack.
[[nodiscard]] net::PodNetwork set_up_network(const PodLayout& pod, const nspawn::RunOptions& o, const Logger& log);
// The guest's eth0 address and pod init's DNS servers (--dns wins over the networks').
void add_network(GuestConfig& guest, const net::PodNetwork& network, const nspawn::RunOptions& o);

// The guest configuration, the launcher flags for enter, and the mount points the guest
// needs in the stage1 rootfs.
void write_guest_files(const PodLayout& pod, const GuestConfig& guest, const nspawn::RunOptions& o);

}  // namespace pod::stage1::kvm
