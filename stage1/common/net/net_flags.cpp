// --net= values: rkt's grammar, "default|host|none|NAME[:ARGS]" in comma lists.
#include <optional>
#include <set>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage1/common/net/pod_network.hpp"

namespace pod::stage1::net {

namespace {

bool valid_network_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name[0] != '.' && name[0] != '-';
}

}  // namespace

NetworkSelection parse_net_flags(const std::vector<std::string>& values) {
  NetworkSelection sel;
  std::optional<NetworkSelection::Mode> special;
  std::set<std::string> seen;
  for (const auto& value : values) {
    for (const auto& item : split(value, ',')) {
      std::string entry(trim(item));
      if (entry.empty())
        throw UsageError("--net=" + value + ": empty network name",
                         0, "give default, host, none or NAME[:ARGS] separated by commas");
      NetworkRequest req;
      size_t colon = entry.find(':');
      req.name = entry.substr(0, colon);
      if (colon != std::string::npos) req.args = entry.substr(colon + 1);
      if (req.name == "host" || req.name == "none") {
        if (colon != std::string::npos)
          throw UsageError("--net=" + value + ": " + req.name + " takes no arguments");
        auto mode = req.name == "host" ? NetworkSelection::Mode::host
                                       : NetworkSelection::Mode::none;
        if (special && *special != mode)
          throw UsageError("--net: host and none cannot be combined");
        special = mode;
        continue;
      }
      if (!valid_network_name(req.name))
        throw UsageError("--net=" + value + ": \"" + req.name + "\" is not a network name", 0,
                         "network names use letters, digits, '-', '_' and '.'");
      if (!seen.insert(req.name).second)
        throw UsageError("--net: network " + req.name + " is given twice");
      sel.networks.push_back(std::move(req));
    }
  }
  if (special) {
    if (!sel.networks.empty())
      throw UsageError(std::string("--net: ") +
                       (*special == NetworkSelection::Mode::host ? "host" : "none") +
                       " cannot be combined with other networks");
    sel.mode = *special;
    return sel;
  }
  sel.mode = NetworkSelection::Mode::networks;
  if (sel.networks.empty()) sel.networks.push_back({"default", ""});
  return sel;
}

}  // namespace pod::stage1::net
