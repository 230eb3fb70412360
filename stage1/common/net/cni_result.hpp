// Reading a CNI result (spec versions 0.2.0 to 1.0.0) into what the pod shows and uses.
#pragma once

#include <nlohmann/json.hpp>

#include "stage1/common/net/pod_network.hpp"

namespace pod::stage1::net {

// Fills ip, mask, gateway and dns_nameservers of `into` from a plugin's ADD result.
// The first IPv4 address wins (the first address of any family when there is none);
// throws an Error when the result carries no address at all.
void apply_cni_result(const nlohmann::json& result, JoinedNetwork& into);

}  // namespace pod::stage1::net
