// Meta discovery over the network: asks https://NAME?ac-discovery=1 (http:// too when
// allowed), walking up the name on a 4xx or a page without matching tags, and returns
// the best image endpoint and the pubkeys URLs covering the name.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/log.hpp"
#include "stage0/fetch/http_client.hpp"

namespace pod::fetch {

struct Discovered {
  std::string aci_url;        // empty when only keys were asked for
  std::string signature_url;
  std::vector<std::string> pubkeys;  // ac-discovery-pubkeys URLs covering the name
};

enum class DiscoveryGoal { image, pubkeys };

// `labels` fill the templates' variables ({version}, {os}, {arch}, ...).
// Throws Error listing the pages asked when nothing matching was found.
[[nodiscard]] Discovered discover(HttpClient& http, const Logger& log, const std::string& name,
                                  const std::vector<std::pair<std::string, std::string>>& labels,
                                  DiscoveryGoal goal, bool try_http);

}  // namespace pod::fetch
