// net-info.json in the pod directory: what setup did, so that teardown needs no
// configuration and stage0 can show the pod's addresses (format in
// Documentation/stage1-abi.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stage1/common/net/pod_network.hpp"

namespace pod::stage1::net {

inline constexpr const char* kNetInfoFile = "net-info.json";

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

[[nodiscard]] nlohmann::json to_json(const NetInfo& info);
[[nodiscard]] NetInfo net_info_from_json(const nlohmann::json& j);

[[nodiscard]] std::string net_info_path(const std::string& pod_dir);
// Written atomically and durably: it is written before each ADD, so a crash at any point
// leaves a record of everything that might need a DEL.
void save_net_info(const std::string& pod_dir, const NetInfo& info);
// nullopt when the pod has none; throws for a file that cannot be read or parsed.
[[nodiscard]] std::optional<NetInfo> load_net_info(const std::string& pod_dir);
void remove_net_info(const std::string& pod_dir);

}  // namespace pod::stage1::net
