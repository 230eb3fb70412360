// The pod's network namespace, kept alive by a bind mount at /run/pod/netns/<uuid> in
// the mount namespace stage0 started in (the host's), so that it outlives every process
// of the pod and `pod gc` finds it after a kill -9 of `pod run`.
//
// stage0 runs the entrypoints in a private mount namespace of their own; a mount made
// there would vanish with the pod's processes and never be seen by gc. So stage0 hands
// the entrypoints an fd of the mount namespace it started in, its number in the
// environment variable POD_HOST_MNTNS_FD (Documentation/stage1-abi.md); the bind mount is
// made there (and, so that the entrypoint can use the path too, in its own namespace).
// Without the variable everything happens in the current mount namespace.
#pragma once

#include <string>

#include "common/fd.hpp"

namespace pod::stage1::net {

inline constexpr const char* kHostMountNsEnv = "POD_HOST_MNTNS_FD";
inline constexpr const char* kNetnsDir = "/run/pod/netns";

[[nodiscard]] std::string netns_path_for(const std::string& uuid);

class HostMountNamespace {
 public:
  // From POD_HOST_MNTNS_FD (the inherited fd is marked close-on-exec, so the pod's
  // processes do not inherit it); none when it is unset. Throws for a value that is not
  // an open mount namespace fd.
  [[nodiscard]] static HostMountNamespace from_env();
  HostMountNamespace() = default;
  explicit HostMountNamespace(UniqueFd fd) : fd_(std::move(fd)) {}

  // True when there is a host namespace and it is not the current one.
  [[nodiscard]] bool is_elsewhere() const;
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

 private:
  UniqueFd fd_;
};

// Creates a network namespace and bind-mounts it at `path`. Throws, leaving nothing.
void create_netns(const std::string& path, const HostMountNamespace& host);

// Unmounts and removes `path` (in both namespaces); a missing path is not an error.
void remove_netns(const std::string& path, const HostMountNamespace& host);

// Whether `path` is a mounted network namespace (here).
[[nodiscard]] bool netns_mounted(const std::string& path);

}  // namespace pod::stage1::net
