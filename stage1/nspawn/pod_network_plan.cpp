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
  // In every mode (pod_network.hpp): it refuses a --port the mode cannot publish and keeps
  // stage0's host mount namespace fd from the sandbox. Host mode sets up nothing; none gets
  // a namespace with only loopback, recorded like any other so gc releases it.
  net::PodNetwork network = net::setup_pod_network(pod, request, log);
  if (network.netns_path.empty()) {
    plan.mode = NspawnPlan::Network::host;
    return plan;
  }
  plan.mode = NspawnPlan::Network::netns;
  plan.netns_path = network.netns_path;
  for (const auto& n : network.networks) {
    for (const auto& ns : n.dns_nameservers) plan.nameservers.push_back(ns);
    if (plan.host_address.empty()) plan.host_address = n.gateway;
  }
  return plan;
}

std::string metadata_url(const RunOptions& o, const PodNetworkPlan& network) {
  if (o.mds_token.empty()) return {};
  if (network.host_address.empty()) {
    Error e("pod " + o.uuid + ": --mds-register needs a pod network with a gateway on the host, "
            "where the apps reach the metadata service");
    e.set_hint("run the pod with --net=default (or a ptp/bridge network), or without --mds-register");
    throw e;
  }
  std::string host = network.host_address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + (o.mds_port.empty() ? "18112" : o.mds_port) + "/" + o.mds_token;
}

void teardown_pod_network(const PodLayout& pod, const Logger& log) { net::teardown_pod_network(pod, log); }

}  // namespace pod::stage1::nspawn
