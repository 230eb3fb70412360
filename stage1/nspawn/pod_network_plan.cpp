#include "stage1/nspawn/pod_network_plan.hpp"

#include "common/error.hpp"
#include "stage1/common/net/pod_network.hpp"

namespace pod::stage1::nspawn {

PodNetworkPlan plan_pod_network(const PodLayout& pod, const RunOptions& o, const Logger& log) {
  PodNetworkPlan plan;
  net::SetupRequest request;
  request.uuid = o.uuid;
  request.selection = net::parse_net_flags(o.net);
  request.local_config = o.local_config;
  request.system_config = o.system_config;
  request.debug = o.debug;
  switch (request.selection.mode) {
    case net::NetworkSelection::Mode::host:
      plan.mode = NspawnPlan::Network::host;
      return plan;
    case net::NetworkSelection::Mode::none:
      // A network namespace of nspawn's own, with only loopback.
      plan.mode = NspawnPlan::Network::none;
      return plan;
    case net::NetworkSelection::Mode::networks:
      break;
  }
  net::PodNetwork network = net::setup_pod_network(pod, request, log);
  plan.mode = NspawnPlan::Network::netns;
  plan.netns_path = network.netns_path;
  for (const auto& n : network.networks)
    for (const auto& ns : n.dns_nameservers) plan.nameservers.push_back(ns);
  return plan;
}

void teardown_pod_network(const PodLayout& pod, const Logger& log) { net::teardown_pod_network(pod, log); }

}  // namespace pod::stage1::nspawn
