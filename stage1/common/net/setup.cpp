// setup_pod_network / teardown_pod_network: the CNI ADD and DEL sequences.
#include <cstdlib>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage1/common/net/cni_plugin.hpp"
#include "stage1/common/net/cni_result.hpp"
#include "stage1/common/net/net_config.hpp"
#include "stage1/common/net/net_info.hpp"
#include "stage1/common/net/netns.hpp"
#include "stage1/common/net/pod_network.hpp"
#include "stage1/common/net/port_mappings.hpp"

namespace pod::stage1::net {

namespace {

struct PlannedNetwork {
  NetworkRequest request;
  NetworkConfig config;
};

// "0.4.0" >= major.minor
bool version_at_least(const std::string& v, int major, int minor) {
  auto parts = split(v, '.');
  int ma = parts.empty() ? 0 : std::atoi(parts[0].c_str());
  int mi = parts.size() < 2 ? 0 : std::atoi(parts[1].c_str());
  return ma > major || (ma == major && mi >= minor);
}

// CNI_ARGS reach both the network's plugin and its IPAM plugin, and each refuses keys it
// does not know unless told to ignore them (the IPAM's IP=, say, in the bridge plugin).
std::string cni_args(const std::string& user_args) {
  if (user_args.empty() || user_args.find("IgnoreUnknown=") != std::string::npos)
    return user_args;
  return "IgnoreUnknown=1;" + user_args;
}

const char* mode_name(NetworkSelection::Mode m) {
  return m == NetworkSelection::Mode::none ? "none" : "networks";
}

// The configurations of the requested networks, with every plugin they need checked,
// so that a bad --net fails before anything is set up.
std::vector<PlannedNetwork> plan_networks(const SetupRequest& req, bool with_ports,
                                          const Logger& log) {
  std::vector<PlannedNetwork> plan;
  auto configs = load_network_configs(req.local_config, req.system_config, log);
  for (const auto& r : req.selection.networks) {
    auto it = configs.find(r.name);
    if (it == configs.end()) {
      std::vector<std::string> names;
      for (const auto& [name, c] : configs) names.push_back(name);
      throw Error("unknown network \"" + r.name + "\"", 0,
                  "networks that exist: " + join(names, ", ") + ", and host and none; add " +
                      r.name + " as a CNI configuration in " +
                      config_dirs_text(req.local_config, req.system_config));
    }
    with_context("network " + r.name + " (" + it->second.source + ")", [&] {
      for (const auto& conf : it->second.plugins) {
        (void)find_plugin(conf.value("type", ""), default_cni_path());
        if (auto ipam = conf.find("ipam"); ipam != conf.end() && ipam->is_object() &&
                                           ipam->contains("type") && (*ipam)["type"].is_string())
          (void)find_plugin((*ipam)["type"].get<std::string>(), default_cni_path());
      }
    });
    plan.push_back({r, it->second});
  }
  if (with_ports) {
    (void)find_plugin("portmap", default_cni_path());
    std::string v = plan.front().config.conf.value("cniVersion", "0.4.0");
    if (!version_at_least(v, 0, 3))
      throw Error("--port: network " + plan.front().request.name + " uses CNI version " + v +
                  ", the portmap plugin needs 0.3.0 or later", 0,
                  "set \"cniVersion\" of " + plan.front().config.source + " to \"0.4.0\"");
  }
  return plan;
}

// A plugin of a configuration list that asks for the --port mappings (the CNI
// convention: "capabilities": {"portMappings": true}, as portmap's own configuration).
bool wants_port_mappings(const nlohmann::json& conf) {
  auto caps = conf.find("capabilities");
  return caps != conf.end() && caps->is_object() && caps->value("portMappings", false) == true;
}

nlohmann::json loopback_conf() {
  return {{"cniVersion", "0.4.0"}, {"name", "loopback"}, {"type", "loopback"}};
}

nlohmann::json portmap_conf(const nlohmann::json& net_conf, const nlohmann::json& prev,
                            const std::vector<PortMapping>& ports) {
  return {{"cniVersion", net_conf.value("cniVersion", "0.4.0")},
          {"name", net_conf.value("name", "")},
          {"type", "portmap"},
          {"capabilities", {{"portMappings", true}}},
          {"runtimeConfig", {{"portMappings", port_mappings_json(ports)}}},
          // so that 127.0.0.1:HOSTPORT reaches the pod too
          {"snat", true},
          {"prevResult", prev}};
}

// DEL takes the ADD configuration and, from CNI 0.4.0 on, the ADD result as prevResult.
nlohmann::json del_conf(const PluginCall& c) {
  nlohmann::json conf = c.conf;
  if (!c.result.is_null() && !conf.contains("prevResult") &&
      version_at_least(conf.value("cniVersion", "0.1.0"), 0, 4))
    conf["prevResult"] = c.result;
  return conf;
}

// ADD of one plugin, recorded before it runs (so a crash leaves a DEL to do) and after.
nlohmann::json add_recorded(const std::string& pod_dir, NetInfo& info, nlohmann::json conf,
                            const CniCall& call, const Logger& log) {
  auto& calls = info.networks.back().calls;
  calls.push_back({std::move(conf), nullptr});
  save_net_info(pod_dir, info, true);
  nlohmann::json result = invoke_plugin(calls.back().conf, call, log);
  info.networks.back().calls.back().result = result;
  return result;
}

}  // namespace

PodNetwork setup_pod_network(const PodLayout& pod, const SetupRequest& request,
                             const Logger& log) {
  return with_context("setting up the network of pod " + request.uuid, [&] {
    PodNetwork out;
    out.mode = request.selection.mode;
    // First, in every mode: marks the inherited fd close-on-exec, so the sandbox does not
    // inherit stage0's mount namespace.
    auto host = HostMountNamespace::from_env();
    // An undeclared --port is refused before anything starts, whatever the mode.
    auto ports = resolve_port_mappings(pod);
    // The apps of a host-network pod listen on the host's addresses already: a --port there
    // would publish nothing, so it is refused rather than silently ignored.
    if (out.mode == NetworkSelection::Mode::host && !ports.empty())
      throw Error("--port needs a pod network, and the pod has --net=host", 0,
                  "drop --port (the apps listen on the host's addresses already) or give the pod "
                  "a network (--net=default)");
    if (out.mode == NetworkSelection::Mode::host) return out;
    if (out.mode == NetworkSelection::Mode::none && !ports.empty())
      throw Error("--port needs a pod network, and the pod has --net=none", 0,
                  "drop --port or give the pod a network (--net=default)");
    std::vector<PlannedNetwork> plan;
    if (out.mode == NetworkSelection::Mode::networks)
      plan = plan_networks(request, !ports.empty(), log);
    (void)find_plugin("loopback", default_cni_path());

    // A set-up of this pod that was never torn down (a crashed earlier attempt) would be
    // forgotten when its record is overwritten: release it first.
    if (load_net_info(pod.dir())) teardown_pod_network(pod, log);
    NetInfo info{request.uuid, mode_name(out.mode), netns_path_for(request.uuid), {}};
    // Not durable: a host crash takes the namespace with it.
    save_net_info(pod.dir(), info, false);
    try {
      create_netns(info.netns, host);
      CniCall lo{"ADD", request.uuid, info.netns, "lo", ""};
      (void)with_context("bringing up the loopback interface",
                         [&] { return invoke_plugin(loopback_conf(), lo, log); });
      for (size_t i = 0; i < plan.size(); ++i) {
        const auto& p = plan[i];
        with_context("joining network " + p.request.name + " (" + p.config.source + ")", [&] {
          NetworkRecord rec;
          rec.joined.name = p.request.name;
          rec.joined.ifname = "eth" + std::to_string(i);
          rec.source = p.config.source;
          rec.args = cni_args(p.request.args);
          info.networks.push_back(std::move(rec));
          CniCall call{"ADD", request.uuid, info.netns, info.networks.back().joined.ifname,
                       info.networks.back().args};
          // A configuration list's plugins in order, each given the result so far.
          nlohmann::json result;
          bool ports_taken = false;
          for (size_t k = 0; k < p.config.plugins.size(); ++k) {
            nlohmann::json conf = p.config.plugins[k];
            if (k > 0) conf["prevResult"] = result;
            if (i == 0 && !ports.empty() && wants_port_mappings(conf)) {
              conf["runtimeConfig"]["portMappings"] = port_mappings_json(ports);
              ports_taken = true;
            }
            result = add_recorded(pod.dir(), info, std::move(conf), call, log);
          }
          apply_cni_result(result, info.networks.back().joined);
          if (i == 0 && !ports.empty() && !ports_taken)
            (void)add_recorded(pod.dir(), info, portmap_conf(p.config.conf, result, ports), call,
                               log);
          save_net_info(pod.dir(), info, false);
        });
      }
    } catch (const Error&) {
      try {
        teardown_pod_network(pod, log);
      } catch (const Error& t) {
        log.warn(std::string("cleaning up after the failed network set-up: ") + t.what());
      }
      throw;
    }
    out.netns_path = info.netns;
    for (const auto& n : info.networks) out.networks.push_back(n.joined);
    return out;
  });
}

void teardown_pod_network(const PodLayout& pod, const Logger& log) {
  auto loaded = load_net_info(pod.dir());
  if (!loaded) return;
  NetInfo info = std::move(*loaded);
  with_context("releasing the network of pod " + info.uuid, [&] {
    auto host = HostMountNamespace::from_env();
    // Plugins clean up what they can without it (the IPAM lease) when it is gone.
    std::string netns = netns_mounted(info.netns) ? info.netns : "";
    std::vector<std::string> failures;
    for (auto n = info.networks.rbegin(); n != info.networks.rend(); ++n) {
      while (!n->calls.empty()) {
        const PluginCall& c = n->calls.back();
        CniCall call{"DEL", info.uuid, netns, n->joined.ifname, n->args};
        try {
          (void)invoke_plugin(del_conf(c), call, log);
        } catch (const Error& e) {
          std::string what = "network " + n->joined.name + ": " + e.what();
          // An ADD that never returned may have failed on the very configuration DEL
          // refuses too: nothing more can be done for it, and the pod must not stay.
          if (c.result.is_null()) {
            log.warn("ignored, as its ADD had not completed: " + what);
          } else {
            failures.push_back(what);
            break;
          }
        }
        n->calls.pop_back();
      }
    }
    std::erase_if(info.networks, [](const NetworkRecord& r) { return r.calls.empty(); });
    if (!failures.empty()) {
      // Kept, with the namespace the plugins need, for the next gc to retry.
      save_net_info(pod.dir(), info, true);
      throw Error(join(failures, "; "), 0, "run pod gc again once the cause is fixed");
    }
    remove_netns(info.netns, host);
    remove_net_info(pod.dir());
  });
}

}  // namespace pod::stage1::net
