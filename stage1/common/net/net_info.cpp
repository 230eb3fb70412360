#include "stage1/common/net/net_info.hpp"

#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::stage1::net {

nlohmann::json to_json(const NetInfo& info) {
  nlohmann::json nets = nlohmann::json::array();
  for (const auto& n : info.networks) {
    nlohmann::json calls = nlohmann::json::array();
    for (const auto& c : n.calls) calls.push_back({{"conf", c.conf}, {"result", c.result}});
    nets.push_back({{"netName", n.joined.name},
                    {"netConf", n.source},
                    {"ifName", n.joined.ifname},
                    {"ip", n.joined.ip},
                    {"mask", n.joined.mask},
                    {"gateway", n.joined.gateway},
                    {"nameservers", n.joined.dns_nameservers},
                    {"args", n.args},
                    {"plugins", calls}});
  }
  return {{"uuid", info.uuid}, {"mode", info.mode}, {"netns", info.netns}, {"networks", nets}};
}

NetInfo net_info_from_json(const nlohmann::json& j) {
  NetInfo info;
  info.uuid = j.value("uuid", "");
  info.mode = j.value("mode", "networks");
  info.netns = j.value("netns", "");
  for (const auto& n : j.value("networks", nlohmann::json::array())) {
    NetworkRecord r;
    r.joined.name = n.value("netName", "");
    r.joined.ifname = n.value("ifName", "");
    r.joined.ip = n.value("ip", "");
    r.joined.mask = n.value("mask", "");
    r.joined.gateway = n.value("gateway", "");
    r.joined.dns_nameservers = n.value("nameservers", std::vector<std::string>{});
    r.source = n.value("netConf", "");
    r.args = n.value("args", "");
    for (const auto& c : n.value("plugins", nlohmann::json::array()))
      r.calls.push_back({c.value("conf", nlohmann::json::object()), c.value("result", nlohmann::json())});
    info.networks.push_back(std::move(r));
  }
  return info;
}

nlohmann::json joined_networks_json(const NetInfo& info) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : info.networks) {
    if (n.joined.ip.empty()) continue;
    out.push_back({{"netName", n.joined.name},
                   {"netConf", n.source},
                   {"ifName", n.joined.ifname},
                   {"ip", n.joined.ip},
                   {"mask", n.joined.mask},
                   {"gateway", n.joined.gateway},
                   {"nameservers", n.joined.dns_nameservers},
                   {"args", n.args}});
  }
  return out;
}

std::string net_info_path(const std::string& pod_dir) { return path_join(pod_dir, kNetInfoFile); }
std::string net_setup_path(const std::string& pod_dir) { return path_join(pod_dir, kNetSetupFile); }

void save_net_info(const std::string& pod_dir, const NetInfo& info, bool durable) {
  write_file_atomic(net_setup_path(pod_dir), to_json(info).dump(2) + "\n", 0644, durable);
  write_file_atomic(net_info_path(pod_dir), joined_networks_json(info).dump(2) + "\n", 0644,
                    false);
}

std::optional<NetInfo> load_net_info(const std::string& pod_dir) {
  std::string path = net_setup_path(pod_dir);
  if (!path_exists(path)) return std::nullopt;
  return with_context("reading " + path, [&] {
    try {
      return std::optional<NetInfo>(net_info_from_json(nlohmann::json::parse(read_file(path))));
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("not a valid network record: ") + e.what());
    }
  });
}

void remove_net_info(const std::string& pod_dir) {
  for (const auto& path : {net_info_path(pod_dir), net_setup_path(pod_dir)})
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("removing " + path);
}

std::vector<JoinedNetwork> read_joined_networks(const std::string& pod_dir) {
  std::vector<JoinedNetwork> out;
  std::string path = net_info_path(pod_dir);
  if (!path_exists(path)) return out;
  return with_context("reading " + path, [&] {
    try {
      for (const auto& n : nlohmann::json::parse(read_file(path))) {
        JoinedNetwork j;
        j.name = n.value("netName", "");
        j.ifname = n.value("ifName", "");
        j.ip = n.value("ip", "");
        j.mask = n.value("mask", "");
        j.gateway = n.value("gateway", "");
        j.dns_nameservers = n.value("nameservers", std::vector<std::string>{});
        out.push_back(std::move(j));
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("not a valid network list: ") + e.what());
    }
    return out;
  });
}

}  // namespace pod::stage1::net
