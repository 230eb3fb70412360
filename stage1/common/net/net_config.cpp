#include "stage1/common/net/net_config.hpp"

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::stage1::net {

NetworkConfig builtin_default_network() {
  NetworkConfig c;
  c.name = "default";
  c.type = "ptp";
  c.source = "built-in";
  c.conf = {
      {"cniVersion", "1.0.0"},
      {"name", "default"},
      {"type", "ptp"},
      {"ipMasq", true},
      {"ipam",
       {{"type", "host-local"},
        {"subnet", "172.16.28.0/24"},
        {"routes", nlohmann::json::array({{{"dst", "0.0.0.0/0"}}})}}},
  };
  return c;
}

NetworkConfig parse_network_config(const std::string& text, const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error("network configuration " + file + " is not valid JSON: " + e.what(), 0,
                "fix or remove the file (a CNI network configuration, see "
                "Documentation/networking.md)");
  }
  auto text_field = [&](const char* key) {
    auto it = j.is_object() ? j.find(key) : j.end();
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
      throw Error("network configuration " + file + " has no \"" + key + "\" string", 0,
                  "a CNI network configuration needs \"name\" and \"type\" (the plugin)");
    return it->get<std::string>();
  };
  NetworkConfig c;
  c.name = text_field("name");
  c.type = text_field("type");
  if (c.type.find('/') != std::string::npos)
    throw Error("network configuration " + file + ": plugin type \"" + c.type +
                "\" must be a plugin name, not a path");
  c.source = file;
  c.conf = std::move(j);
  if (!c.conf.contains("cniVersion")) c.conf["cniVersion"] = "0.4.0";
  return c;
}

std::string config_dirs_text(const std::string& local_config, const std::string& system_config) {
  std::vector<std::string> dirs;
  if (!local_config.empty()) dirs.push_back(path_join(local_config, "net.d"));
  if (!system_config.empty()) dirs.push_back(path_join(system_config, "net.d"));
  return dirs.empty() ? "no configuration directory" : join(dirs, ", ");
}

namespace {

// The configurations of one net.d directory; the first file in name order wins a name.
std::map<std::string, NetworkConfig> load_dir(const std::string& dir, const Logger& log) {
  std::map<std::string, NetworkConfig> out;
  if (dir.empty() || !is_directory(dir)) return out;
  for (const auto& entry : list_dir(dir)) {
    if (!ends_with(entry, ".conf")) continue;
    std::string file = path_join(dir, entry);
    NetworkConfig c = parse_network_config(read_file(file), file);
    auto [it, inserted] = out.emplace(c.name, c);
    if (!inserted)
      log.warn("network " + c.name + " of " + file + " is ignored: " + it->second.source +
               " defines it first");
  }
  return out;
}

}  // namespace

std::map<std::string, NetworkConfig> load_network_configs(const std::string& local_config,
                                                          const std::string& system_config,
                                                          const Logger& log) {
  std::map<std::string, NetworkConfig> all;
  all.emplace("default", builtin_default_network());
  for (const auto& base : {system_config, local_config}) {
    if (base.empty()) continue;
    for (auto& [name, conf] : load_dir(path_join(base, "net.d"), log)) {
      log.debug("network " + name + " from " + conf.source);
      all.insert_or_assign(name, std::move(conf));
    }
  }
  return all;
}

}  // namespace pod::stage1::net
