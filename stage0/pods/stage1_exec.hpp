// Executing stage1's entrypoints (Documentation/stage1-abi.md). Every entrypoint runs in
// a mount namespace of its own, with the pod directory as working directory, so a pod
// adds no mounts to the host and leaves none behind however it dies:
//  - run: stage1/rootfs is the stage1 overlay and each app's overlay is mounted at
//    stage1/rootfs/opt/stage2/<app>/rootfs (lower = the store's tree, upper/work in overlay/).
//  - enter, stop, gc: stage1/rootfs shows the stage1 image read-only (a bind of its tree).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "aci/manifest.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "stage0/pods/pod.hpp"

namespace pod::pods {

inline constexpr const char* kEntrypointRun = "coreos.com/rkt/stage1/run";
inline constexpr const char* kEntrypointEnter = "coreos.com/rkt/stage1/enter";
inline constexpr const char* kEntrypointStop = "coreos.com/rkt/stage1/stop";
inline constexpr const char* kEntrypointGc = "coreos.com/rkt/stage1/gc";

struct Stage1Image {
  std::string tree_id;
  std::string tree_rootfs;  // the store's rendered rootfs
  aci::ImageManifest manifest;
  // The entrypoint's absolute path inside the stage1 rootfs, or empty when not declared.
  [[nodiscard]] std::string entrypoint(std::string_view annotation) const;
};

// Reads stage1TreeStoreID and stage1/manifest of a prepared pod.
[[nodiscard]] Stage1Image load_stage1(const Pod& pod);
// <data_dir>/cas/tree/<tree_id>/rootfs (the store's layout), validating the ID.
[[nodiscard]] std::string tree_rootfs(const std::string& data_dir, const std::string& tree_id);

// Enters a private mount namespace whose mounts do not propagate back to the host.
void enter_private_mount_namespace();

// The environment variable naming an fd of the mount namespace stage0 started in, which
// entrypoints use for what must outlive the pod's namespace (the network namespace's bind
// mount, stage1/common/net/netns.hpp). Documentation/stage1-abi.md.
inline constexpr const char* kHostMountNsEnv = "POD_HOST_MNTNS_FD";
// An fd of the current mount namespace that an exec'd entrypoint inherits (no O_CLOEXEC);
// open it before enter_private_mount_namespace().
[[nodiscard]] UniqueFd open_inheritable_mount_namespace();

// Mounts the pod's stage1 and app overlays (in the current, private, namespace). Where
// overlayfs is refused, or with `copy` (--no-overlay), copies the trees instead (--debug
// says so).
void mount_pod_rootfs(const Pod& pod, const Stage1Image& stage1, const std::string& data_dir,
                      const Logger& log, bool copy = false);

// The file saying a rootfs was copied instead of mounted (beside its overlay's upper dir).
[[nodiscard]] std::string copied_marker(const std::string& upper_dir);

// In the current process: private namespace, stage1/rootfs = the stage1 image read-only,
// chdir to the pod, then execv(entrypoint, argv) with `extra_env` added. Never returns.
[[noreturn]] void exec_entrypoint_view(const Pod& pod, const Stage1Image& stage1,
                                       const std::string& annotation,
                                       const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& extra_env,
                                       const Logger& log);

// The same in a child process; returns its exit code (see exit_code_of).
[[nodiscard]] int run_entrypoint(const Pod& pod, const Stage1Image& stage1,
                                 const std::string& annotation,
                                 const std::vector<std::string>& args, const Logger& log);

// execve with the current environment plus `extra_env`; throws naming the path on failure.
[[noreturn]] void exec_with_env(const std::string& path, const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& extra_env);

}  // namespace pod::pods
