// The guest's boot program, before pod init: kernel filesystems, the kernel modules the
// initramfs carries, the pod's tree over 9p, and the switch into the stage1 rootfs.
#pragma once

#include <string>

#include "stage1/kvm/guest_config.hpp"

namespace pod::stage1::kvm::guest {

// /proc, /sys and /dev of the initramfs.
void mount_early();
// Loads DIR's modules in the order DIR/order lists them (dependencies first).
void load_modules(const std::string& dir);
// Mounts the 9p share TAG at DIR, waiting up to a few seconds for its virtio device.
void mount_share(const std::string& tag, const std::string& dir, bool read_only);
// Prepares NEW_ROOT (the stage1 rootfs inside the share) as the root: its kernel
// filesystems, the pod directory at kPodDirInGuest, the host volumes, then moves it
// over / and changes root into it, as switch_root does (an initramfs cannot be
// pivot_root'ed away, and the launcher pivot_roots into the apps from here).
void switch_root(const std::string& new_root, const std::string& pod_share, const GuestConfig& config);

}  // namespace pod::stage1::kvm::guest
