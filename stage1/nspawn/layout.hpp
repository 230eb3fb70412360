// Paths inside the stage1-nspawn image's rootfs (built by stage1/nspawn/CMakeLists.txt)
// and in the pod directory.
#pragma once

namespace pod::stage1::nspawn {

inline constexpr const char* kFlavor = "nspawn";
inline constexpr const char* kInitPath = "/nspawn/init";          // pod init, PID 1
inline constexpr const char* kLauncherPath = "/nspawn/launcher";  // the stage2 launcher
// Inside the pod: the manifests bound read-only from the pod directory.
inline constexpr const char* kPodManifestInPod = "/rkt/pod";
inline constexpr const char* kAppsinfoInPod = "/rkt/appsinfo";
inline constexpr const char* kHostVolumesInPod = "/rkt/host-volumes";
// The launcher flags of the run, for enter (inside the stage1 rootfs).
inline constexpr const char* kLauncherFlagsInPod = "/rkt/nspawn/launcher-flags";
// In the pod directory: the host cgroups of the pod (one path a line), for gc; the pid of
// systemd-nspawn (rkt's "ppid").
inline constexpr const char* kCgroupsFile = "cgroups";
inline constexpr const char* kPpidFile = "ppid";
inline constexpr const char* kNspawnBinary = "/usr/bin/systemd-nspawn";
// A mutable pod (`pod app sandbox`): the pod manifest annotation that says so, and pod
// init's control socket (stage1/common/init/control.hpp), in a directory of the pod
// directory bound into the pod.
inline constexpr const char* kMutableAnnotation = "coreos.com/rkt/stage1/mutable";
inline constexpr const char* kControlDir = "control";
inline constexpr const char* kControlDirInPod = "/rkt/control";
inline constexpr const char* kControlSocket = "init.sock";

}  // namespace pod::stage1::nspawn
