// Test helpers shared by the image and pod manifest tests: the fuzzer's seed manifests,
// and parsing a minimal manifest with one edit to see it accepted or rejected.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "aci/validation_error.hpp"

namespace pod::aci::testing {

using JsonEdit = std::function<void(nlohmann::json&)>;

// A manifest from tests/fuzz/corpus/manifest_fuzzer/, the spec's examples among them.
inline std::string read_manifest_seed(const std::string& name) {
  std::ifstream in(std::string(POD_SOURCE_DIR) + "/tests/fuzz/corpus/manifest_fuzzer/" + name);
  REQUIRE_MESSAGE(in, "missing seed " << name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "field: rule" of the ValidationError thrown when `manifest`, changed by `edit`, is
// parsed as a `Manifest`; a failed check when it is accepted.
template <class Manifest>
std::string rejection_of(nlohmann::json manifest, const JsonEdit& edit) {
  edit(manifest);
  try {
    (void)Manifest::parse(manifest.dump());
  } catch (const ValidationError& e) {
    return e.what();
  }
  FAIL("accepted " << manifest.dump());
  return {};
}

// Checks that `manifest`, changed by `edit`, parses as a `Manifest`.
template <class Manifest>
void check_accepted(nlohmann::json manifest, const JsonEdit& edit) {
  edit(manifest);
  CHECK_NOTHROW((void)Manifest::parse(manifest.dump()));
}

}  // namespace pod::aci::testing
