#include "oci/config.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "oci/digest.hpp"

namespace pod::oci {

namespace {

using json = nlohmann::json;

std::string opt_string(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return {};
  if (!j[key].is_string()) throw Error(where + "\"" + key + "\" must be a string");
  return j[key].get<std::string>();
}

std::optional<std::vector<std::string>> opt_strings(const json& j, const char* key,
                                                    const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_array()) throw Error(where + "\"" + key + "\" must be an array of strings");
  std::vector<std::string> out;
  for (const auto& v : j[key]) {
    if (!v.is_string()) throw Error(where + "\"" + key + "\" must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::vector<std::string> object_keys(const json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_object()) throw Error(where + "\"" + key + "\" must be an object");
  for (const auto& [k, v] : j[key].items()) out.push_back(k);
  return out;  // nlohmann's object is a std::map: already sorted
}

}  // namespace

PortSpec parse_port(std::string_view text) {
  std::string_view num = text.substr(0, text.find('/'));
  std::string proto = text.find('/') == std::string_view::npos
                          ? "tcp"
                          : std::string(text.substr(text.find('/') + 1));
  if (proto != "tcp" && proto != "udp")
    throw Error("exposed port \"" + std::string(text) + "\": protocol must be tcp or udp");
  unsigned port = 0;
  if (num.empty() || num.size() > 5) throw Error("exposed port \"" + std::string(text) + "\" is not a port");
  for (char c : num) {
    if (c < '0' || c > '9') throw Error("exposed port \"" + std::string(text) + "\" is not a port");
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port == 0 || port > 65535)
    throw Error("exposed port \"" + std::string(text) + "\" is out of range (1..65535)");
  return {port, proto};
}

ImageConfig parse_config(std::string_view text, const std::string& what) {
  return with_context("reading the image configuration of " + what, [&] {
    if (text.size() > kMaxConfigSize) throw Error("the configuration is larger than 8 MiB");
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error("the configuration is not a JSON object");
    ImageConfig c;
    c.os = opt_string(j, "os", "");
    c.architecture = opt_string(j, "architecture", "");
    c.variant = opt_string(j, "variant", "");
    if (j.contains("config") && j["config"].is_object()) {
      const json& cc = j["config"];
      const std::string w = "config.";
      c.user = opt_string(cc, "User", w);
      c.env = opt_strings(cc, "Env", w).value_or(std::vector<std::string>{});
      for (const auto& e : c.env)
        if (e.find('=') == std::string::npos || e.front() == '=')
          throw Error("config.Env entry \"" + e + "\" is not NAME=VALUE");
      c.entrypoint = opt_strings(cc, "Entrypoint", w);
      c.cmd = opt_strings(cc, "Cmd", w);
      c.working_dir = opt_string(cc, "WorkingDir", w);
      if (!c.working_dir.empty() && c.working_dir.front() != '/')
        throw Error("config.WorkingDir \"" + c.working_dir + "\" is not an absolute path");
      c.exposed_ports = object_keys(cc, "ExposedPorts", w);
      for (const auto& p : c.exposed_ports) (void)parse_port(p);
      c.volumes = object_keys(cc, "Volumes", w);
      for (const auto& v : c.volumes)
        if (v.empty() || v.front() != '/')
          throw Error("config.Volumes entry \"" + v + "\" is not an absolute path");
      c.stop_signal = opt_string(cc, "StopSignal", w);
      if (cc.contains("Labels") && cc["Labels"].is_object())
        for (const auto& [k, v] : cc["Labels"].items())
          if (v.is_string()) c.labels[k] = v.get<std::string>();
    }
    if (!j.contains("rootfs") || !j["rootfs"].is_object())
      throw Error("the configuration has no \"rootfs\"");
    const json& r = j["rootfs"];
    if (opt_string(r, "type", "rootfs.") != "layers")
      throw Error("rootfs.type must be \"layers\"");
    auto ids = opt_strings(r, "diff_ids", "rootfs.");
    if (!ids) throw Error("the configuration has no rootfs.diff_ids");
    for (const auto& d : *ids) c.diff_ids.push_back(parse_digest(d, "rootfs.diff_ids entry").str());
    return c;
  });
}

}  // namespace pod::oci
