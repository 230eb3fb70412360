#include <doctest/doctest.h>

#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/fetch/auth_config.hpp"

using namespace pod::fetch;

TEST_CASE("auth.d: basic and oauth entries in rkt's format") {
  auto basic = parse_auth_file(R"({"rktKind":"auth","rktVersion":"v1",
      "domains":["example.com","127.0.0.1:8443"],"type":"basic",
      "credentials":{"user":"bar","password":"baz"}})", "a.json");
  CHECK(basic.domains == std::vector<std::string>{"example.com", "127.0.0.1:8443"});
  CHECK(basic.credentials.type == Credentials::Type::basic);
  CHECK(basic.credentials.user == "bar");
  CHECK(basic.credentials.password == "baz");
  CHECK(basic.credentials.source == "a.json");

  auto oauth = parse_auth_file(R"({"podKind":"auth","podVersion":"v1","domains":["x.org"],
      "type":"oauth","credentials":{"token":"sometoken"}})", "b.json");
  CHECK(oauth.credentials.type == Credentials::Type::bearer);
  CHECK(oauth.credentials.token == "sometoken");

  auto docker = parse_auth_file(R"({"rktKind":"dockerAuth","rktVersion":"v1",
      "registries":["r.io"],"credentials":{"user":"u","password":"p"}})", "d.json");
  CHECK(docker.domains.empty());
}

TEST_CASE("auth.d: mistakes are named with the file") {
  auto msg = [](const char* text) {
    try {
      (void)parse_auth_file(text, "/etc/pod/auth.d/bad.json");
    } catch (const pod::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg("{not json").find("bad.json: not valid JSON") != std::string::npos);
  CHECK(msg(R"({"rktVersion":"v1"})").find("rktKind") != std::string::npos);
  CHECK(msg(R"({"rktKind":"auth","rktVersion":"v2","domains":["a"],"type":"basic","credentials":{}})")
            .find("unsupported version \"v2\"") != std::string::npos);
  CHECK(msg(R"({"rktKind":"auth","rktVersion":"v1","domains":[],"type":"basic","credentials":{}})")
            .find("\"domains\"") != std::string::npos);
  CHECK(msg(R"({"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"digest","credentials":{}})")
            .find("unknown auth type \"digest\"") != std::string::npos);
  CHECK(msg(R"({"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"basic","credentials":{"user":"u"}})")
            .find("\"password\"") != std::string::npos);
}

TEST_CASE("auth.d: user overrides local overrides system; host:port before host") {
  pod::TempPath root = pod::make_temp_dir("/tmp", "pod-auth-test-");
  auto write = [&](const std::string& dir, const std::string& name, const std::string& user,
                   const std::string& domain) {
    pod::make_dirs(root.path() + "/" + dir + "/auth.d");
    pod::write_file_atomic(root.path() + "/" + dir + "/auth.d/" + name,
                           R"({"rktKind":"auth","rktVersion":"v1","domains":[")" + domain +
                               R"("],"type":"basic","credentials":{"user":")" + user +
                               R"(","password":"p"}})");
  };
  write("system", "a.json", "system-user", "example.com");
  write("system", "b.json", "port-user", "example.com:8443");
  write("local", "a.json", "local-user", "example.com");
  write("local", "notes.txt", "ignored", "example.com");
  auto cfg = AuthConfig::load({root.path() + "/system", root.path() + "/local",
                               root.path() + "/missing"});
  REQUIRE(cfg.find("example.com", 443));
  CHECK(cfg.find("example.com", 443)->user == "local-user");
  CHECK(cfg.find("example.com", 8443)->user == "port-user");
  CHECK(cfg.find("other.org", 443) == nullptr);
  write("user", "z.json", "user-user", "example.com");
  auto cfg2 = AuthConfig::load({root.path() + "/system", root.path() + "/local",
                                root.path() + "/user"});
  CHECK(cfg2.find("example.com", 443)->user == "user-user");

  write("local", "b.json", "again", "example.com");
  CHECK_THROWS_WITH_AS((void)AuthConfig::load({root.path() + "/local"}),
                       doctest::Contains("has credentials in both"), pod::Error);
}
