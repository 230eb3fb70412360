#include "stage0/cli/manifest_output.hpp"

#include <nlohmann/json.hpp>

#include "aci/archive.hpp"
#include "common/error.hpp"

namespace pod::cli {

std::string format_manifest(std::string_view manifest_text, bool pretty) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(manifest_text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("the manifest is not JSON: ") + e.what());
  }
  return pretty ? j.dump(1, '\t') : j.dump();
}

std::string manifest_of_aci_file(const std::string& path) {
  aci::AciReadOptions opts;
  opts.manifest_only = true;
  return aci::read_aci_file(path, opts).manifest_text;
}

}  // namespace pod::cli
