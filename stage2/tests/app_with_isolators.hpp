// Test helper for the isolator plans: a minimal app (root, /inspect) with the given isolators.
#pragma once

#include <nlohmann/json.hpp>

#include "aci/manifest.hpp"

namespace pod::stage2::testing {

// `isolators_json` is the app's "isolators" array as JSON text.
inline aci::App app_with_isolators(const char* isolators_json) {
  nlohmann::json j = {{"exec", {"/inspect"}}, {"user", "0"}, {"group", "0"}};
  j["isolators"] = nlohmann::json::parse(isolators_json);
  return aci::App::from_json(j, "app");
}

}  // namespace pod::stage2::testing
