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
};

// Sets up what --net asks for; on failure nothing is left set up.
[[nodiscard]] PodNetworkPlan plan_pod_network(const PodLayout& pod, const RunOptions& o, const Logger& log);
// Releases it (idempotent; for a pod that never had networks it does nothing).
void teardown_pod_network(const PodLayout& pod, const Logger& log);

}  // namespace pod::stage1::nspawn
