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
  c.plugins = {c.conf};
  return c;
}

namespace {

nlohmann::json parse_json(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error("network configuration " + file + " is not valid JSON: " + e.what(), 0,
                "fix or remove the file (a CNI network configuration, see "
                "Documentation/networking.md)");
  }
}

std::string text_field(const nlohmann::json& j, const char* key, const std::string& what,
                       const char* hint) {
  auto it = j.is_object() ? j.find(key) : j.end();
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
    throw Error(what + " has no \"" + key + "\" string", 0, hint);
  return it->get<std::string>();
}

std::string plugin_type(const nlohmann::json& j, const std::string& what) {
  std::string type = text_field(j, "type", what, "a CNI plugin configuration needs \"type\" (the plugin)");
  if (type.find('/') != std::string::npos)
    throw Error(what + ": plugin type \"" + type + "\" must be a plugin name, not a path");
  return type;
}

}  // namespace

NetworkConfig parse_network_config(const std::string& text, const std::string& file) {
  nlohmann::json j = parse_json(text, file);
  const std::string what = "network configuration " + file;
  NetworkConfig c;
  c.name = text_field(j, "name", what, "a CNI network configuration needs \"name\" and \"type\" (the plugin)");
  c.type = plugin_type(j, what);
  c.source = file;
  c.conf = std::move(j);
  if (!c.conf.contains("cniVersion")) c.conf["cniVersion"] = "0.4.0";
  c.plugins = {c.conf};
  return c;
}

NetworkConfig parse_network_config_list(const std::string& text, const std::string& file) {
  nlohmann::json j = parse_json(text, file);
  const std::string what = "network configuration list " + file;
  NetworkConfig c;
  c.name = text_field(j, "name", what, "a CNI network configuration list needs \"name\" and \"plugins\"");
  auto plugins = j.find("plugins");
  if (plugins == j.end() || !plugins->is_array() || plugins->empty())
    throw Error(what + " has no \"plugins\" (a non-empty array)", 0,
                "list the plugins to chain, e.g. [{\"type\": \"ptp\", ...}, {\"type\": \"tuning\", ...}]");
  if (!j.contains("cniVersion")) j["cniVersion"] = "0.4.0";
  for (size_t i = 0; i < plugins->size(); ++i) {
    nlohmann::json p = (*plugins)[i];
    const std::string plugin_what = what + ", plugin " + std::to_string(i + 1);
    if (!p.is_object()) throw Error(plugin_what + " is not an object");
    std::string type = plugin_type(p, plugin_what);
    if (i == 0) c.type = type;
    p["name"] = c.name;
    p["cniVersion"] = j["cniVersion"];
    c.plugins.push_back(std::move(p));
  }
  c.source = file;
  c.conf = std::move(j);
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
    const bool list = ends_with(entry, ".conflist");
    if (!list && !ends_with(entry, ".conf")) continue;
    std::string file = path_join(dir, entry);
    NetworkConfig c = list ? parse_network_config_list(read_file(file), file)
                           : parse_network_config(read_file(file), file);
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
