// Network configurations: rkt's built-in "default" network and the CNI configuration
// files in net.d/ of the system and local configuration directories.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace pod::stage1::net {

struct NetworkConfig {
  std::string name;
  std::string type;    // the CNI plugin
  std::string source;  // the file it came from, or "built-in"
  nlohmann::json conf;  // the CNI network configuration (or configuration list), as read
  // The plugins ADD runs in order, each configuration complete (a .conflist's plugins
  // get the list's "name" and "cniVersion", as the CNI spec says); a .conf is one.
  std::vector<nlohmann::json> plugins;
};

// ptp + host-local on 172.16.28.0/24 with IP masquerade, as rkt's default network.
[[nodiscard]] NetworkConfig builtin_default_network();

// Every known network by name. Precedence, lowest first: the built-in default, then
// SYSTEM/net.d/*.{conf,conflist}, then LOCAL/net.d/*.{conf,conflist} (a name in local config hides the same name
// in system config, as rkt's). Inside one directory the first file in name order wins.
// Empty or missing directories are skipped; a file that is not a CNI configuration with a
// "name" and a "type" is an error naming it.
[[nodiscard]] std::map<std::string, NetworkConfig> load_network_configs(
    const std::string& local_config, const std::string& system_config, const Logger& log);

// Parses one CNI network configuration file's text; `file` names it in errors.
[[nodiscard]] NetworkConfig parse_network_config(const std::string& text, const std::string& file);
// Parses a CNI network configuration list (a .conflist: "name", "cniVersion", "plugins").
[[nodiscard]] NetworkConfig parse_network_config_list(const std::string& text, const std::string& file);

// The directories searched, for messages: "LOCAL/net.d, SYSTEM/net.d".
[[nodiscard]] std::string config_dirs_text(const std::string& local_config,
                                           const std::string& system_config);

}  // namespace pod::stage1::net
