// --port: the pod manifest's exposed ports matched to the ports its apps declare, as
// the portmap plugin's runtimeConfig "portMappings".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aci/manifest.hpp"
#include "stage1/common/pod_layout.hpp"

namespace pod::stage1::net {

struct PortMapping {
  std::string app;
  std::string name;
  std::string protocol;  // "tcp" or "udp"
  uint16_t container_port = 0;
  uint16_t host_port = 0;
  std::string host_ip;  // empty: every address
};

// The app port each exposed port names. Throws an Error naming the port and the ports
// the apps do declare when no app (or more than one) declares it.
[[nodiscard]] std::vector<PortMapping> match_ports(
    const aci::PodManifest& pod, const std::vector<std::pair<std::string, aci::ImageManifest>>& apps);

// The same from the pod directory (pod manifest and appsinfo/<app>/manifest).
[[nodiscard]] std::vector<PortMapping> resolve_port_mappings(const PodLayout& pod);

// portmap's runtimeConfig entries.
[[nodiscard]] nlohmann::json port_mappings_json(const std::vector<PortMapping>& ports);

}  // namespace pod::stage1::net
