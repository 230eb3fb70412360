// Running a CNI plugin the way the CNI specification says: parameters in CNI_*
// environment variables, the network configuration on stdin, a result (or an error
// object) as JSON on stdout.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace pod::stage1::net {

// Where Debian's containernetworking-plugins installs the plugins, then the upstream place.
[[nodiscard]] std::vector<std::string> default_cni_path();

// The plugin's executable in `dirs`; throws an Error naming the plugin, the directories
// and the Debian package to install when it is not there.
[[nodiscard]] std::string find_plugin(const std::string& type, const std::vector<std::string>& dirs);

struct CniCall {
  std::string command;       // ADD or DEL
  std::string container_id;  // the pod's UUID
  std::string netns;         // path of the network namespace; may be empty for DEL
  std::string ifname;
  std::string args;          // CNI_ARGS, "K1=V1;K2=V2"
  std::vector<std::string> path = default_cni_path();
};

// Runs the plugin named by conf["type"]; returns its parsed stdout (null when it printed
// nothing, as DEL does). A failing plugin's error object becomes the Error's message.
nlohmann::json invoke_plugin(const nlohmann::json& conf, const CniCall& call, const Logger& log);

}  // namespace pod::stage1::net
