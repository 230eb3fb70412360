// The VM's link into the pod's CNI network. CNI gave the pod's network namespace an
// eth0 (a veth whose other end is on the host's bridge) with the pod's address. In that
// namespace a tap device for qemu is created, and tc redirects every frame from eth0 to
// the tap and back; the guest's NIC takes eth0's MAC and address, so the pod is reached
// at the address CNI gave it, as with nspawn. Called in qemu's process before the exec:
// the tap lives exactly as long as qemu.
#pragma once

#include <string>

#include "common/fd.hpp"

namespace pod::stage1::kvm {

struct PodTap {
  UniqueFd fd;      // the tap's queue, for qemu's -netdev tap,fd=
  std::string mac;  // eth0's, "aa:bb:cc:dd:ee:ff"
};

// Joins the network namespace at NETNS_PATH (the calling process stays in it).
[[nodiscard]] PodTap join_netns_with_tap(const std::string& netns_path, const std::string& ifname);

}  // namespace pod::stage1::kvm
