#include "stage1/common/net/cni_result.hpp"

#include "common/error.hpp"

namespace pod::stage1::net {

namespace {

struct Address {
  std::string ip;
  std::string mask;
  std::string gateway;
};

Address split_cidr(const std::string& cidr, const std::string& gateway) {
  size_t slash = cidr.find('/');
  Address a;
  a.ip = cidr.substr(0, slash);
  if (slash != std::string::npos) a.mask = cidr.substr(slash + 1);
  a.gateway = gateway;
  return a;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void apply_cni_result(const nlohmann::json& result, JoinedNetwork& into) {
  if (!result.is_object()) throw Error("the CNI result is not a JSON object");
  std::vector<Address> v4, v6;
  if (auto ips = result.find("ips"); ips != result.end() && ips->is_array()) {
    // 0.3.0 and later
    for (const auto& ip : *ips) {
      if (!ip.is_object()) continue;
      Address a = split_cidr(str(ip, "address"), str(ip, "gateway"));
      if (a.ip.empty()) continue;
      (a.ip.find(':') == std::string::npos ? v4 : v6).push_back(a);
    }
  } else {
    // 0.1.0/0.2.0: "ip4" and "ip6" objects
    for (const char* key : {"ip4", "ip6"}) {
      auto it = result.find(key);
      if (it == result.end() || !it->is_object()) continue;
      Address a = split_cidr(str(*it, "ip"), str(*it, "gateway"));
      if (!a.ip.empty()) (key[2] == '4' ? v4 : v6).push_back(a);
    }
  }
  const Address* chosen = !v4.empty() ? &v4.front() : !v6.empty() ? &v6.front() : nullptr;
  if (!chosen) throw Error("the CNI result gives the pod no IP address: " + result.dump());
  into.ip = chosen->ip;
  into.mask = chosen->mask;
  into.gateway = chosen->gateway;
  into.dns_nameservers.clear();
  if (auto dns = result.find("dns"); dns != result.end() && dns->is_object()) {
    if (auto ns = dns->find("nameservers"); ns != dns->end() && ns->is_array())
      for (const auto& n : *ns)
        if (n.is_string()) into.dns_nameservers.push_back(n.get<std::string>());
  }
}

}  // namespace pod::stage1::net
