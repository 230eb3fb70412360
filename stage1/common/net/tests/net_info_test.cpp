#include <doctest/doctest.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage1/common/net/net_info.hpp"

using namespace pod;
using namespace pod::stage1::net;

TEST_CASE("net-info.json round trip, and read_joined_networks") {
  auto tmp = make_temp_dir("/tmp", "netinfo-test");
  NetInfo info;
  info.uuid = "6f0ad8d2-0000-4000-8000-000000000001";
  info.mode = "networks";
  info.netns = "/run/pod/netns/" + info.uuid;
  NetworkRecord a;
  a.joined = {"default", "eth0", "172.16.28.9", "172.16.28.1", "24", {"1.1.1.1"}};
  a.source = "built-in";
  a.calls.push_back({nlohmann::json{{"type", "ptp"}, {"name", "default"}},
                     nlohmann::json{{"ips", nlohmann::json::array()}}});
  a.calls.push_back({nlohmann::json{{"type", "portmap"}}, nullptr});
  NetworkRecord b;  // ADD never returned: recorded, not shown
  b.joined.name = "lan";
  b.joined.ifname = "eth1";
  b.args = "IP=10.0.0.9";
  b.calls.push_back({nlohmann::json{{"type", "bridge"}}, nullptr});
  info.networks = {a, b};

  CHECK_FALSE(load_net_info(tmp.path()));
  CHECK(read_joined_networks(tmp.path()).empty());
  save_net_info(tmp.path(), info, true);
  auto back = load_net_info(tmp.path());
  REQUIRE(back);
  CHECK(back->uuid == info.uuid);
  CHECK(back->netns == info.netns);
  REQUIRE(back->networks.size() == 2);
  CHECK(back->networks[0].joined.ip == "172.16.28.9");
  CHECK(back->networks[0].joined.dns_nameservers == std::vector<std::string>{"1.1.1.1"});
  REQUIRE(back->networks[0].calls.size() == 2);
  CHECK(back->networks[0].calls[0].conf["type"] == "ptp");
  CHECK(back->networks[0].calls[1].result.is_null());
  CHECK(back->networks[1].args == "IP=10.0.0.9");
  CHECK(to_json(*back) == to_json(info));

  auto joined = read_joined_networks(tmp.path());
  REQUIRE(joined.size() == 1);
  CHECK(joined[0].name == "default");
  CHECK(joined[0].gateway == "172.16.28.1");

  remove_net_info(tmp.path());
  remove_net_info(tmp.path());  // idempotent
  CHECK_FALSE(path_exists(net_info_path(tmp.path())));
  CHECK_FALSE(path_exists(net_setup_path(tmp.path())));
}

TEST_CASE("net-info.json is rkt's array of the joined networks") {
  auto tmp = make_temp_dir("/tmp", "netinfo-test");
  NetInfo info;
  info.uuid = "u";
  NetworkRecord a;
  a.joined = {"default", "eth0", "172.16.28.9", "172.16.28.1", "24", {}};
  a.source = "built-in";
  NetworkRecord pending;
  pending.joined.name = "lan";
  info.networks = {a, pending};
  save_net_info(tmp.path(), info, true);
  auto j = nlohmann::json::parse(read_file(net_info_path(tmp.path())));
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  CHECK(j[0]["netName"] == "default");
  CHECK(j[0]["ip"] == "172.16.28.9");
  CHECK(j[0]["ifName"] == "eth0");
  CHECK(j[0]["mask"] == "24");
}

TEST_CASE("corrupt records are errors naming the file") {
  auto tmp = make_temp_dir("/tmp", "netinfo-test");
  write_file_atomic(net_setup_path(tmp.path()), "{nope");
  CHECK_THROWS_WITH_AS((void)load_net_info(tmp.path()), doctest::Contains("net-setup.json"), Error);
  write_file_atomic(net_info_path(tmp.path()), "{nope");
  CHECK_THROWS_WITH_AS((void)read_joined_networks(tmp.path()), doctest::Contains("net-info.json"),
                       Error);
}
