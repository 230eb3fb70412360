#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/stage1_config.hpp"

namespace pod::cli {

namespace {

using ordered = nlohmann::ordered_json;

// auth.d entries of one configuration directory, without their secrets.
void add_auth_entries(const std::string& config_dir, ordered& out) {
  std::string dir = path_join(config_dir, "auth.d");
  if (!is_directory(dir)) return;
  for (const auto& name : list_dir(dir)) {
    if (!ends_with(name, ".json")) continue;
    std::string file = path_join(dir, name);
    auto j = nlohmann::json::parse(read_file(file), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      Error e("reading configuration " + file + ": not a JSON object");
      e.set_hint("fix or remove the file");
      throw e;
    }
    std::string kind = j.value("rktKind", j.value("podKind", std::string()));
    ordered entry;
    entry["rktVersion"] = "v1";
    entry["rktKind"] = kind;
    if (kind == "auth") {
      entry["domains"] = j.value("domains", nlohmann::json::array());
      entry["type"] = j.value("type", std::string());
    } else if (kind == "dockerAuth") {
      entry["registries"] = j.value("registries", nlohmann::json::array());
    } else {
      continue;
    }
    entry["source"] = file;  // where it came from; the credentials themselves stay secret
    out.push_back(std::move(entry));
  }
}

}  // namespace

Command config_command() {
  Command c;
  c.name = "config";
  c.summary = "Print the configuration in effect, as JSON";
  c.usage = "pod config [--pretty-print]";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()("pretty-print", "indent the JSON", cxxopts::value<bool>()->default_value("false"));
    auto res = p.parse(inv.args, inv.global);
    require_no_arguments(res, "config");
    const auto& g = inv.global;
    ordered stage0 = ordered::array();

    ordered paths;
    paths["rktVersion"] = "v1";
    paths["rktKind"] = "paths";
    paths["data"] = g.dir;
    paths["stage1-images"] = pods::stage1_images_dir(g.system_config, g.local_config);
    paths["local-config"] = g.local_config;
    paths["system-config"] = g.system_config;
    paths["user-config"] = g.user_config;
    stage0.push_back(paths);

    ordered stage1;
    stage1["rktVersion"] = "v1";
    stage1["rktKind"] = "stage1";
    if (auto d = pods::load_stage1_default(g.system_config, g.local_config)) {
      stage1["name"] = d->name;
      stage1["version"] = d->version;
      stage1["location"] = d->location;
      stage1["source"] = d->source;
    } else {
      std::string location;
      for (const auto& cand : pods::builtin_stage1_candidates(paths["stage1-images"]))
        if (location.empty() && path_exists(cand)) location = cand;
      stage1["location"] = location;
      stage1["source"] = "built-in default";
    }
    stage0.push_back(stage1);

    ordered trust;
    trust["rktVersion"] = "v1";
    trust["rktKind"] = "trustedKeys";
    trust["directories"] = {path_join(g.system_config, "trustedkeys"),
                            path_join(g.local_config, "trustedkeys")};
    stage0.push_back(trust);

    for (const auto& dir : {g.system_config, g.local_config, g.user_config})
      add_auth_entries(dir, stage0);

    ordered out;
    out["stage0"] = stage0;
    std::printf("%s\n", res["pretty-print"].as<bool>() ? out.dump(4).c_str() : out.dump().c_str());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
