// Registry authentication pieces that need no network: the WWW-Authenticate challenge
// (Bearer realm/service/scope, or Basic), base64, and the two credential file formats
// a registry user has: rkt's auth.d dockerAuth files and Docker's config.json.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::oci {

struct Challenge {
  std::string scheme;                         // lower-case: "bearer", "basic"
  std::map<std::string, std::string> params;  // realm, service, scope, error...
};

// Parses one WWW-Authenticate value ("Bearer realm=\"https://a/token\",service=\"x\"").
// Throws Error when it has no scheme.
[[nodiscard]] Challenge parse_challenge(std::string_view header);

[[nodiscard]] std::string base64_encode(std::string_view data);
// Throws Error on characters outside the alphabet.
[[nodiscard]] std::string base64_decode(std::string_view text);

struct RegistryCredentials {
  std::string user;
  std::string password;
  std::string source;  // the file, for messages
};

// rkt's dockerAuth file:
//   {"rktKind":"dockerAuth","rktVersion":"v1","registries":["host:port"],
//    "credentials":{"user":"U","password":"P"}}
// Returns nullopt for files of another kind; throws Error naming `source` when broken.
struct DockerAuthFile {
  std::vector<std::string> registries;
  RegistryCredentials credentials;
};
[[nodiscard]] std::optional<DockerAuthFile> parse_docker_auth_file(std::string_view text,
                                                                   const std::string& source);

// Docker's config.json "auths": {"host:port": {"auth": base64("user:password")}} (or
// "username"/"password"). Keys may be URLs ("https://index.docker.io/v1/"): they are
// reduced to host[:port]. Throws Error naming `source` when broken.
[[nodiscard]] std::map<std::string, RegistryCredentials> parse_docker_config(
    std::string_view text, const std::string& source);

// "https://index.docker.io/v1/" -> "index.docker.io"; "localhost:5000" stays.
[[nodiscard]] std::string registry_host_of(std::string_view key);

}  // namespace pod::oci
