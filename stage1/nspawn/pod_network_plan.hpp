// The pod's network for systemd-nspawn: the host's, a private empty one (--net=none),
// or the network namespace CNI set up (stage1/common/net).
#pragma once

#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/nspawn/nspawn_command.hpp"
#include "stage1/nspawn/options.hpp"

namespace pod::stage1::nspawn {

struct PodNetworkPlan {
  NspawnPlan::Network mode = NspawnPlan::Network::host;
  std::string netns_path;
  std::vector<std::string> nameservers;  // from the networks' CNI results
  // The host's side of the first network that has one (its gateway: ptp and bridge put it
  // on the host), where the pod reaches host services such as the metadata service.
  std::string host_address;
};

// The apps' AC_METADATA_URL, http://<host address>:<--mds-port>/<--mds-token>; empty
// without --mds-token. Throws when the pod has no network that reaches the host.
[[nodiscard]] std::string metadata_url(const RunOptions& o, const PodNetworkPlan& network);

// Sets up what --net asks for; on failure nothing is left set up.
[[nodiscard]] PodNetworkPlan plan_pod_network(const PodLayout& pod, const RunOptions& o, const Logger& log);
// Releases it (idempotent; for a pod that never had networks it does nothing).
void teardown_pod_network(const PodLayout& pod, const Logger& log);

}  // namespace pod::stage1::nspawn
