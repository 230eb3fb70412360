// The pod's networks: the contract between a namespaced stage1 flavor's entrypoints
// (nspawn, kvm) and the CNI networking that stage1/common/net implements.
//
// The run entrypoint calls setup_pod_network() before it starts the sandbox, hands the
// network namespace path to it (systemd-nspawn --network-namespace-path=), and calls
// teardown_pod_network() once the sandbox has ended. The gc entrypoint calls
// teardown_pod_network() too, so a pod whose run was killed with SIGKILL is cleaned up
// by `pod gc`. Everything teardown needs is recorded in the pod directory by setup, so it
// takes no configuration and is idempotent (a second call, or a call for a pod that never
// had networks, does nothing and succeeds).
#pragma once

#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage1/common/pod_layout.hpp"

namespace pod::stage1::net {

// One entry of --net=: "default", "host", "none", or a network NAME with optional
// CNI_ARGS after a colon ("NAME:K1=V1;K2=V2").
struct NetworkRequest {
  std::string name;
  std::string args;
};

struct NetworkSelection {
  enum class Mode { host, none, networks } mode = Mode::networks;
  std::vector<NetworkRequest> networks;  // Mode::networks only; empty --net means {"default"}
};

// Parses the values of every --net= flag stage0 passed (each may be a comma list).
// Throws UsageError for a malformed value or for host/none mixed with networks.
[[nodiscard]] NetworkSelection parse_net_flags(const std::vector<std::string>& values);

struct SetupRequest {
  std::string uuid;
  NetworkSelection selection;
  std::string local_config;   // --local-config of stage0 (DIR/net.d/*.conf); may be empty
  std::string system_config;  // --system-config, likewise; may be empty
  bool debug = false;
};

// One network the pod joined, as recorded in the pod directory (rkt's "net-info.json").
struct JoinedNetwork {
  std::string name;         // e.g. "default"
  std::string ifname;       // inside the pod, e.g. "eth0"
  std::string ip;           // pod's IPv4 (or IPv6) address, no prefix length
  std::string gateway;      // may be empty
  std::string mask;         // prefix length as text, e.g. "24"; may be empty
  std::vector<std::string> dns_nameservers;  // from the CNI result, for /etc/resolv.conf
};

struct PodNetwork {
  NetworkSelection::Mode mode = NetworkSelection::Mode::host;
  std::string netns_path;  // empty for host mode; a path to give --network-namespace-path=
  std::vector<JoinedNetwork> networks;
};

// Creates the pod's network namespace (persisted where gc can find it even after the
// pod's processes are gone), runs CNI ADD for each requested network in order (with
// portmap for the pod manifest's "ports"), and records what was done in the pod
// directory. On any failure it tears down what it set up and throws pod::Error naming
// the network, the plugin and what to do (a missing plugin names the Debian package).
// Meant to be called in every mode, host included (it then sets up nothing): it also
// marks stage0's POD_HOST_MNTNS_FD close-on-exec, so the sandbox does not inherit the
// host's mount namespace, and refuses a --port no app declares (or any --port with none).
// The namespace is bind-mounted at /run/pod/netns/<uuid> (netns.hpp says why and where).
[[nodiscard]] PodNetwork setup_pod_network(const PodLayout& pod, const SetupRequest& request,
                                           const Logger& log);

// Releases everything setup_pod_network() recorded: CNI DEL in reverse order, the
// network namespace and its file. Never throws for what is already gone.
void teardown_pod_network(const PodLayout& pod, const Logger& log);

// What the pod directory records (net-info.json, its format documented in
// Documentation/stage1-abi.md so stage0 and the api-service read it without linking
// stage1 code): empty when the pod has no networks (host mode, or never set up).
[[nodiscard]] std::vector<JoinedNetwork> read_joined_networks(const std::string& pod_dir);

}  // namespace pod::stage1::net
