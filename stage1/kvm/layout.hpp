// Paths of stage1-kvm: in its image's rootfs (stage1/kvm/CMakeLists.txt), in the pod
// directory on the host, and inside the guest (Documentation/stage1-abi.md, "kvm").
#pragma once

namespace pod::stage1::kvm {

inline constexpr const char* kFlavor = "kvm";
// In the stage1 rootfs (the guest's root once the boot program has switched to it).
inline constexpr const char* kInitPath = "/kvm/init";          // pod init
inline constexpr const char* kLauncherPath = "/kvm/launcher";  // the stage2 launcher
inline constexpr const char* kKernelInImage = "/kvm/vmlinux";
inline constexpr const char* kInitrdInImage = "/kvm/initrd";
// The flavor's state, in the stage1 rootfs so that the guest sees it through the share.
inline constexpr const char* kStateDir = "/rkt/kvm";
inline constexpr const char* kGuestConfig = "/rkt/kvm/guest.conf";  // host writes, guest reads
inline constexpr const char* kGuestReady = "/rkt/kvm/ready";        // guest writes once every app runs
inline constexpr const char* kPodDirInGuest = "/rkt/kvm/pod";       // the shared pod directory
inline constexpr const char* kHostVolumesInGuest = "/rkt/host-volumes";
inline constexpr const char* kLauncherFlags = "/rkt/kvm/launcher-flags";
// In the pod directory.
inline constexpr const char* kControlSocket = "kvm-control.sock";  // virtio-serial port pod.ctl
inline constexpr const char* kConsoleLog = "kvm-console.log";      // the guest kernel's console
inline constexpr const char* kCgroupsFile = "cgroups";
inline constexpr const char* kPpidFile = "ppid";
// The 9p tag of the pod directory; host volumes are "vol0", "vol1", ...
inline constexpr const char* kPodShareTag = "pod";
inline constexpr const char* kControlPortName = "pod.ctl";
inline constexpr const char* kQemuBinary = "/usr/bin/qemu-system-x86_64";
inline constexpr const char* kQemuPackage = "qemu-system-x86";

}  // namespace pod::stage1::kvm
