// The systemd-nspawn command line of a pod (run's --debug prints it). The stage1 rootfs
// is the container's root; pod init runs as its PID 1.
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::nspawn {

struct Bind {
  std::string source;  // on the host
  std::string target;  // inside the container
  bool read_only = true;
};

struct NspawnPlan {
  std::string nspawn;     // the binary
  std::string rootfs;     // <pod>/stage1/rootfs
  std::string machine;    // the machine name (pod-<uuid>)
  std::string hostname;
  bool register_machine = false;  // machined is reachable
  bool interactive = false;       // the pod's terminal is the app's
  bool notify_ready = false;      // pass READY=1 on to $NOTIFY_SOCKET
  bool private_users = false;     // a user namespace with shifted ownership
  enum class Network { host, none, netns } network = Network::host;
  std::string netns_path;         // Network::netns
  std::vector<Bind> binds;
  std::vector<std::string> init;  // pod init's path and arguments
  std::vector<std::string> env;   // NAME=VALUE for pod init's environment (--setenv)
};

[[nodiscard]] std::vector<std::string> nspawn_argv(const NspawnPlan& plan);

// A command line as a shell would need it quoted (for --debug).
[[nodiscard]] std::string shell_quoted(const std::vector<std::string>& argv);

}  // namespace pod::stage1::nspawn
