#include "oci/auth.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::oci {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Challenge parse_challenge(std::string_view header) {
  std::string_view h = trim(header);
  size_t sp = h.find(' ');
  Challenge c;
  c.scheme = lower(h.substr(0, sp));
  if (c.scheme.empty()) throw Error("WWW-Authenticate without a scheme: \"" + std::string(header) + "\"");
  if (sp == std::string_view::npos) return c;
  std::string_view rest = h.substr(sp + 1);
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == ',')) ++i;
    size_t eq = rest.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string key = lower(trim(rest.substr(i, eq - i)));
    i = eq + 1;
    std::string value;
    if (i < rest.size() && rest[i] == '"') {
      ++i;
      while (i < rest.size() && rest[i] != '"') {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i++];
      }
      ++i;  // closing quote
    } else {
      size_t end = rest.find(',', i);
      value = std::string(trim(rest.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? rest.size() : end;
    }
    c.params[key] = value;
  }
  return c;
}

std::string base64_encode(std::string_view data) {
  std::string out;
  size_t i = 0;
  while (i + 2 < data.size()) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) | static_cast<unsigned char>(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    i += 3;
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    size_t p = kAlphabet.find(c);
    if (p == std::string_view::npos) throw Error("not base64: a '" + std::string(1, c) + "'");
    v = (v << 6) | static_cast<unsigned>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<DockerAuthFile> parse_docker_auth_file(std::string_view text, const std::string& source) {
  return with_context("reading " + source, [&]() -> std::optional<DockerAuthFile> {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error("not a JSON object");
    std::string kind = j.value("rktKind", j.value("podKind", std::string()));
    if (kind != "dockerAuth") return std::nullopt;
    std::string version = j.value("rktVersion", j.value("podVersion", std::string()));
    if (version != "v1") throw Error("unknown dockerAuth version \"" + version + "\" (v1 is known)");
    DockerAuthFile f;
    if (!j.contains("registries") || !j["registries"].is_array() || j["registries"].empty())
      throw Error("\"registries\" must be a non-empty array of host[:port]");
    for (const auto& r : j["registries"]) {
      if (!r.is_string() || r.get<std::string>().empty())
        throw Error("\"registries\" must hold host[:port] strings");
      f.registries.push_back(registry_host_of(r.get<std::string>()));
    }
    if (!j.contains("credentials") || !j["credentials"].is_object())
      throw Error("\"credentials\" must be an object with \"user\" and \"password\"");
    const auto& c = j["credentials"];
    if (!c.contains("user") || !c["user"].is_string() || !c.contains("password") ||
        !c["password"].is_string())
      throw Error("\"credentials\" must have string \"user\" and \"password\"");
    f.credentials = {c["user"].get<std::string>(), c["password"].get<std::string>(), source};
    return f;
  });
}

std::string registry_host_of(std::string_view key) {
  std::string_view k = key;
  if (auto p = k.find("://"); p != std::string_view::npos) k = k.substr(p + 3);
  k = k.substr(0, k.find('/'));
  return lower(k);
}

std::map<std::string, RegistryCredentials> parse_docker_config(std::string_view text,
                                                               const std::string& source) {
  return with_context("reading Docker configuration " + source, [&] {
    std::map<std::string, RegistryCredentials> out;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error("not a JSON object");
    if (!j.contains("auths")) return out;
    if (!j["auths"].is_object()) throw Error("\"auths\" must be an object");
    for (const auto& [key, v] : j["auths"].items()) {
      if (!v.is_object()) continue;
      RegistryCredentials c;
      c.source = source;
      if (v.contains("auth") && v["auth"].is_string() && !v["auth"].get<std::string>().empty()) {
        std::string encoded = v["auth"].get<std::string>();
        std::string plain = with_context("\"auths\"." + key + ".auth",
                                         [&] { return base64_decode(encoded); });
        auto colon = plain.find(':');
        if (colon == std::string::npos) throw Error("\"auths\"." + key + ".auth is not user:password");
        c.user = plain.substr(0, colon);
        c.password = plain.substr(colon + 1);
      } else if (v.contains("username") && v["username"].is_string()) {
        c.user = v["username"].get<std::string>();
        c.password = v.value("password", std::string());
      } else {
        continue;  // a credential helper's entry: pod does not run helpers
      }
      out[registry_host_of(key)] = c;
    }
    return out;
  });
}

}  // namespace pod::oci
