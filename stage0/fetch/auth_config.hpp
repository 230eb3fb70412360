// Credentials for image servers, from auth.d/*.json in the system, local and user
// configuration directories, in rkt's format:
//   {"rktKind": "auth", "rktVersion": "v1", "domains": ["example.com"],
//    "type": "basic", "credentials": {"user": "u", "password": "p"}}
//   {"rktKind": "auth", "rktVersion": "v1", "domains": ["example.com:8443"],
//    "type": "oauth", "credentials": {"token": "t"}}     (sent as "Authorization: Bearer t")
// "podKind"/"podVersion" are accepted in place of "rktKind"/"rktVersion", and "bearer"
// as a synonym of "oauth". A later directory (user over local over system) overrides
// an earlier one for the same domain; the same domain twice in one directory is an error.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pod::fetch {

struct Credentials {
  enum class Type { basic, bearer };
  Type type = Type::basic;
  std::string user;      // basic
  std::string password;  // basic
  std::string token;     // bearer
  std::string source;    // the file it came from, for messages
};

struct AuthEntry {
  std::vector<std::string> domains;
  Credentials credentials;
};

// Parses one file's text; throws Error naming `source` and the field at fault.
// Returns nullopt-like empty domains for files of another kind (rkt's dockerAuth),
// which belong to features pod does not have.
[[nodiscard]] AuthEntry parse_auth_file(std::string_view json_text, const std::string& source);

class AuthConfig {
 public:
  // Reads <dir>/auth.d/*.json for each dir, lowest precedence first. Missing dirs are fine.
  [[nodiscard]] static AuthConfig load(const std::vector<std::string>& config_dirs);

  // Credentials for "host:port" (exact) or else "host"; nullptr when none.
  [[nodiscard]] const Credentials* find(std::string_view host, long port) const;
  [[nodiscard]] bool empty() const noexcept { return by_domain_.empty(); }

 private:
  std::map<std::string, Credentials, std::less<>> by_domain_;
};

}  // namespace pod::fetch
