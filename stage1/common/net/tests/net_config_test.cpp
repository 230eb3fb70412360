#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage1/common/net/net_config.hpp"

using namespace pod;
using namespace pod::stage1::net;

namespace {

void write_conf(const std::string& base, const std::string& file, const std::string& text) {
  make_dirs(base + "/net.d");
  write_file_atomic(base + "/net.d/" + file, text);
}

std::string conf(const std::string& name, const std::string& type) {
  return R"({"cniVersion":"0.4.0","name":")" + name + R"(","type":")" + type + R"("})";
}

}  // namespace

TEST_CASE("the built-in default network is rkt's: ptp, host-local 172.16.28.0/24, masquerade") {
  auto d = builtin_default_network();
  CHECK(d.name == "default");
  CHECK(d.conf["type"] == "ptp");
  CHECK(d.conf["ipMasq"] == true);
  CHECK(d.conf["ipam"]["type"] == "host-local");
  CHECK(d.conf["ipam"]["subnet"] == "172.16.28.0/24");
}

TEST_CASE("local config wins over system config, which wins over the built-in default") {
  auto tmp = make_temp_dir("/tmp", "netconf-test");
  std::string local = tmp.path() + "/local", sys = tmp.path() + "/system";
  write_conf(sys, "10-lan.conf", conf("lan", "bridge"));
  write_conf(sys, "20-sysonly.conf", conf("sysonly", "macvlan"));
  write_conf(local, "50-lan.conf", conf("lan", "ptp"));
  write_conf(sys, "99-default.conf", conf("default", "bridge"));
  write_conf(local, "README", "not a configuration");
  Logger log;
  auto all = load_network_configs(local, sys, log);
  REQUIRE(all.size() == 3);
  CHECK(all.at("lan").type == "ptp");
  CHECK(all.at("lan").source == local + "/net.d/50-lan.conf");
  CHECK(all.at("sysonly").type == "macvlan");
  CHECK(all.at("default").type == "bridge");
}

TEST_CASE("inside one directory the first file in name order wins a name") {
  auto tmp = make_temp_dir("/tmp", "netconf-test");
  write_conf(tmp.path(), "20-b.conf", conf("dup", "bridge"));
  write_conf(tmp.path(), "10-a.conf", conf("dup", "ptp"));
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  Logger log(false, out);
  auto all = load_network_configs(tmp.path(), "", log);
  CHECK(all.at("dup").type == "ptp");
  // The user is told which file was ignored.
  std::rewind(out);
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, out);
  std::fclose(out);
  CHECK(std::string(buf, n).find("20-b.conf is ignored") != std::string::npos);
}

TEST_CASE("missing directories are fine; only the default exists") {
  Logger log;
  auto all = load_network_configs("/nonexistent/local", "", log);
  REQUIRE(all.size() == 1);
  CHECK(all.count("default") == 1);
}

TEST_CASE("a broken configuration is an error naming the file") {
  CHECK_THROWS_WITH_AS((void)parse_network_config("{", "/etc/pod/net.d/x.conf"),
                       doctest::Contains("/etc/pod/net.d/x.conf"), Error);
  CHECK_THROWS_WITH_AS((void)parse_network_config(R"({"type":"ptp"})", "f.conf"),
                       doctest::Contains("\"name\""), Error);
  CHECK_THROWS_WITH_AS((void)parse_network_config(R"({"name":"x"})", "f.conf"),
                       doctest::Contains("\"type\""), Error);
  CHECK_THROWS_AS((void)parse_network_config(R"({"name":"x","type":"../../bin/sh"})", "f.conf"),
                  Error);
  CHECK_THROWS_AS((void)parse_network_config("[1,2]", "f.conf"), Error);
}

TEST_CASE("a configuration without cniVersion gets 0.4.0") {
  auto c = parse_network_config(R"({"name":"x","type":"bridge"})", "f.conf");
  CHECK(c.conf["cniVersion"] == "0.4.0");
}

TEST_CASE("a .conflist chains its plugins, each with the list's name and cniVersion") {
  auto tmp = make_temp_dir("/tmp", "netconf-test");
  write_conf(tmp.path(), "30-chain.conflist",
             R"({"cniVersion":"1.0.0","name":"chain","plugins":[
                  {"type":"ptp","ipam":{"type":"host-local","subnet":"10.1.2.0/24"}},
                  {"type":"tuning","mtu":1300},
                  {"type":"portmap","capabilities":{"portMappings":true}}]})");
  Logger log;
  auto all = load_network_configs(tmp.path(), "", log);
  const auto& c = all.at("chain");
  CHECK(c.type == "ptp");
  REQUIRE(c.plugins.size() == 3);
  CHECK(c.plugins[1]["type"] == "tuning");
  CHECK(c.plugins[1]["mtu"] == 1300);
  for (const auto& p : c.plugins) {
    CHECK(p["name"] == "chain");
    CHECK(p["cniVersion"] == "1.0.0");
  }
  // A single .conf is a chain of one.
  auto single = parse_network_config(conf("one", "bridge"), "f.conf");
  REQUIRE(single.plugins.size() == 1);
  CHECK(single.plugins[0]["type"] == "bridge");
}

TEST_CASE("a broken configuration list is an error naming the file and the plugin") {
  CHECK_THROWS_WITH_AS((void)parse_network_config_list(R"({"name":"x"})", "l.conflist"),
                       doctest::Contains("\"plugins\""), Error);
  CHECK_THROWS_WITH_AS((void)parse_network_config_list(R"({"name":"x","plugins":[]})", "l.conflist"),
                       doctest::Contains("l.conflist"), Error);
  CHECK_THROWS_WITH_AS(
      (void)parse_network_config_list(R"({"name":"x","plugins":[{"type":"ptp"},{"mtu":1}]})", "l.conflist"),
      doctest::Contains("plugin 2"), Error);
  CHECK_THROWS_AS((void)parse_network_config_list(R"({"plugins":[{"type":"ptp"}]})", "l.conflist"), Error);
}
