// Running a prepared pod: the stage1 run entrypoint executed in place of this process,
// so `pod run`'s pid is the pod's, its exit status the app's, and SIGTERM/SIGINT reach
// stage1, which stops the pod cleanly. No fork, and no work that grows with the image
// (overlays) or with the number of pods.
#pragma once

#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage0/pods/pod.hpp"

namespace pod::pods {

struct RunFlags {
  bool debug = false;
  std::vector<std::string> net;  // empty: stage1's default
  bool interactive = false;
  std::string local_config;
  std::string system_config;  // stage1 reads both net.d directories (networking.md)
  std::string hostname;
  std::vector<std::string> dns;
  std::vector<std::string> dns_search;    // rkt's --dns-search, passed on to stage1
  std::vector<std::string> dns_opt;       // --dns-opt
  std::string dns_domain;                 // --dns-domain
  std::vector<std::string> hosts_entries; // --hosts-entry IP=HOSTNAME
  bool no_overlay = false;                // --no-overlay: copy the trees instead
  bool disable_capabilities = false;  // --insecure-options=capabilities
  bool disable_paths = false;         // --insecure-options=paths
  bool disable_seccomp = false;       // --insecure-options=seccomp
  // --mds-register: register with the metadata service (mds/) just before stage1 runs,
  // and pass stage1 the pod's token and the service's port (--mds-token, --mds-port).
  bool mds_register = false;
};

// --mds-register with --net=host or none: UsageError (the service tells pods apart by
// their address on a pod network).
void check_mds_register(const RunFlags& flags);

// The run entrypoint's arguments (interface version 6), the UUID last.
[[nodiscard]] std::vector<std::string> stage1_run_args(const RunFlags& flags,
                                                       const std::string& uuid);

// `pod` must be locked by us and in run/. Mounts the pod's rootfs in a private mount
// namespace and execs stage1 with the lock fd inherited as RKT_LOCK_FD/POD_LOCK_FD.
[[noreturn]] void exec_pod(Pod& pod, const RunFlags& flags, const Logger& log);

}  // namespace pod::pods
