// What setup did, in two files of the pod directory (Documentation/stage1-abi.md):
//  - net-info.json, rkt's name and format: an array of the networks the pod joined, with
//    their addresses, which stage0 and the api-service show without linking stage1 code;
//  - net-setup.json: everything teardown needs (the namespace, each plugin's exact ADD
//    configuration and result), so that it takes no configuration and is idempotent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stage1/common/net/pod_network.hpp"

namespace pod::stage1::net {

inline constexpr const char* kNetInfoFile = "net-info.json";
inline constexpr const char* kNetSetupFile = "net-setup.json";

// One plugin invocation: the exact configuration given on stdin for ADD (DEL gets the
// same), and its result (null while ADD has not returned).
struct PluginCall {
  nlohmann::json conf;
  nlohmann::json result;
};

struct NetworkRecord {
  JoinedNetwork joined;
  std::string source;  // the configuration file, or "built-in"
  std::string args;    // CNI_ARGS
  std::vector<PluginCall> calls;  // in ADD order: the network's plugin, then portmap
};

struct NetInfo {
  std::string uuid;   // CNI_CONTAINERID
  std::string mode;   // "none" or "networks"
  std::string netns;  // path of the bind-mounted network namespace
  std::vector<NetworkRecord> networks;
};

// net-setup.json's content.
[[nodiscard]] nlohmann::json to_json(const NetInfo& info);
[[nodiscard]] NetInfo net_info_from_json(const nlohmann::json& j);
// net-info.json's content: the networks whose ADD completed.
[[nodiscard]] nlohmann::json joined_networks_json(const NetInfo& info);

[[nodiscard]] std::string net_info_path(const std::string& pod_dir);
[[nodiscard]] std::string net_setup_path(const std::string& pod_dir);
// Writes net-setup.json, then net-info.json, each atomically. Setup writes them before
// each ADD, durably (fsync), so that even a host crash at any point leaves a record of every
// DEL to do (the IPAM leases outlive a reboot); other writes skip the fsync, as net-info.json
// only describes a live pod and a result only adds prevResult to a DEL already possible.
void save_net_info(const std::string& pod_dir, const NetInfo& info, bool durable);
// From net-setup.json; nullopt when the pod has none; throws for a file that cannot be
// read or parsed.
[[nodiscard]] std::optional<NetInfo> load_net_info(const std::string& pod_dir);
// Removes both files (net-setup.json last, so an interrupted removal is retried).
void remove_net_info(const std::string& pod_dir);

}  // namespace pod::stage1::net
