// The guest's network: loopback, and eth0 with the address CNI gave the pod (the host
// side redirects the pod namespace's eth0 to the VM's tap device, so the guest's eth0
// carries eth0's MAC and address).
#pragma once

#include <optional>

#include "stage1/kvm/guest_config.hpp"

namespace pod::stage1::kvm::guest {

void set_up_network(const std::optional<GuestNetwork>& network);

}  // namespace pod::stage1::kvm::guest
