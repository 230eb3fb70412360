#include "stage0/fetch/auth_config.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::fetch {

namespace {

std::string string_field(const nlohmann::json& obj, const char* name, const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string() || it->get<std::string>().empty())
    throw Error(where + ": \"" + name + "\" must be a non-empty string");
  return it->get<std::string>();
}

// "rktKind" or "podKind" (and the same for the version).
std::string kind_field(const nlohmann::json& j, const char* rkt, const char* pod,
                       const std::string& source) {
  if (j.contains(pod)) return string_field(j, pod, source);
  if (j.contains(rkt)) return string_field(j, rkt, source);
  throw Error(source + ": neither \"" + std::string(rkt) + "\" nor \"" + pod + "\" is set");
}

}  // namespace

AuthEntry parse_auth_file(std::string_view json_text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(source + ": the configuration must be a JSON object");
  AuthEntry entry;
  std::string kind = kind_field(j, "rktKind", "podKind", source);
  std::string version = kind_field(j, "rktVersion", "podVersion", source);
  if (kind == "dockerAuth") return entry;  // docker registries: not an appc feature
  if (kind != "auth")
    throw Error(source + ": kind \"" + kind + "\" does not belong in auth.d", 0,
                "auth.d files have \"rktKind\": \"auth\"");
  if (version != "v1")
    throw Error(source + ": unsupported version \"" + version + "\" of kind auth", 0,
                "this pod reads version v1");
  auto domains = j.find("domains");
  if (domains == j.end() || !domains->is_array() || domains->empty())
    throw Error(source + ": \"domains\" must be a non-empty list of host names");
  for (const auto& d : *domains) {
    if (!d.is_string() || d.get<std::string>().empty())
      throw Error(source + ": every entry of \"domains\" must be a non-empty string");
    entry.domains.push_back(d.get<std::string>());
  }
  std::string type = string_field(j, "type", source);
  auto creds = j.find("credentials");
  if (creds == j.end() || !creds->is_object())
    throw Error(source + ": \"credentials\" must be an object");
  entry.credentials.source = source;
  if (type == "basic") {
    entry.credentials.type = Credentials::Type::basic;
    entry.credentials.user = string_field(*creds, "user", source + ": credentials");
    entry.credentials.password = string_field(*creds, "password", source + ": credentials");
  } else if (type == "oauth" || type == "bearer") {
    entry.credentials.type = Credentials::Type::bearer;
    entry.credentials.token = string_field(*creds, "token", source + ": credentials");
  } else {
    throw Error(source + ": unknown auth type \"" + type + "\"", 0,
                "use \"basic\" (user, password) or \"oauth\" (token)");
  }
  return entry;
}

AuthConfig AuthConfig::load(const std::vector<std::string>& config_dirs) {
  AuthConfig cfg;
  for (const auto& dir : config_dirs) {
    std::string auth_dir = path_join(dir, "auth.d");
    if (!is_directory(auth_dir)) continue;
    std::map<std::string, std::string, std::less<>> seen_here;  // domain -> file
    for (const auto& name : list_dir(auth_dir)) {
      if (!ends_with(name, ".json")) continue;
      std::string path = path_join(auth_dir, name);
      AuthEntry entry = parse_auth_file(read_file(path), path);
      for (const auto& domain : entry.domains) {
        auto [it, fresh] = seen_here.emplace(domain, path);
        if (!fresh)
          throw Error("domain \"" + domain + "\" has credentials in both " + it->second +
                          " and " + path,
                      0, "keep one entry per domain in a configuration directory");
        cfg.by_domain_[domain] = entry.credentials;
      }
    }
  }
  return cfg;
}

const Credentials* AuthConfig::find(std::string_view host, long port) const {
  if (port > 0) {
    auto it = by_domain_.find(std::string(host) + ":" + std::to_string(port));
    if (it != by_domain_.end()) return &it->second;
  }
  auto it = by_domain_.find(host);
  return it == by_domain_.end() ? nullptr : &it->second;
}

}  // namespace pod::fetch
