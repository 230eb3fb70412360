// qemu's command line for a pod: a microvm (virtio-mmio devices, no PCI, no firmware
// scan) booting the image's kernel and initramfs, with the pod directory (and each host
// volume) shared over 9p, two virtio consoles for the apps' stdout and stderr, a
// virtio-serial port for the control channel and, for a pod in CNI networks, a tap.
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::kvm {

struct ShareSpec {
  std::string tag;
  std::string host_path;
  bool read_only = false;
};

struct QemuPlan {
  std::string qemu;
  bool kvm = false;
  long tsc_khz = 0;  // TCG: the guest cannot measure its TSC without a PIT (microvm has none)
  std::string kernel;
  std::string initrd;
  long memory_mib = 0;
  int cpus = 1;
  std::string pod_dir;  // shared as kPodShareTag
  std::vector<ShareSpec> volumes;
  std::string control_socket;
  std::string console_log;
  // The apps' stdout and stderr: descriptors qemu inherits (its -add-fd), so that qemu
  // writes through run's own open files (sharing their offsets); -1: /dev/stdout and
  // /dev/stderr, for what qemu cannot take that way (a terminal is opened read-write).
  int out_fd = -1;
  int err_fd = -1;
  int tap_fd = -1;  // -1: no network device
  std::string mac;  // the guest NIC's, that of the pod's eth0
};

[[nodiscard]] std::vector<std::string> qemu_argv(const QemuPlan& p);

// The host's TSC frequency (kHz), which TCG's guest TSC runs at; 0 if unknown.
[[nodiscard]] long host_tsc_khz();

}  // namespace pod::stage1::kvm
