#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/net/cni_result.hpp"

using namespace pod::stage1::net;
using nlohmann::json;

TEST_CASE("a 1.0.0 result: the IPv4 address, prefix, gateway and DNS") {
  auto r = json::parse(R"({"cniVersion":"1.0.0",
    "interfaces":[{"name":"veth1","mac":"aa:bb"},{"name":"eth0","sandbox":"/run/pod/netns/x"}],
    "ips":[{"address":"fd00::5/64","interface":1},
           {"address":"172.16.28.7/24","gateway":"172.16.28.1","interface":1}],
    "dns":{"nameservers":["10.0.0.53"],"search":["example"]}})");
  JoinedNetwork n;
  apply_cni_result(r, n);
  CHECK(n.ip == "172.16.28.7");
  CHECK(n.mask == "24");
  CHECK(n.gateway == "172.16.28.1");
  REQUIRE(n.dns_nameservers.size() == 1);
  CHECK(n.dns_nameservers[0] == "10.0.0.53");
}

TEST_CASE("a 0.3.1 result with version fields, IPv6 only") {
  auto r = json::parse(R"({"cniVersion":"0.3.1",
    "ips":[{"version":"6","address":"fd00::5/64","gateway":"fd00::1"}]})");
  JoinedNetwork n;
  apply_cni_result(r, n);
  CHECK(n.ip == "fd00::5");
  CHECK(n.mask == "64");
  CHECK(n.gateway == "fd00::1");
  CHECK(n.dns_nameservers.empty());
}

TEST_CASE("a 0.2.0 result with ip4") {
  auto r = json::parse(R"({"cniVersion":"0.2.0","ip4":{"ip":"10.1.2.3/16","gateway":"10.1.0.1"}})");
  JoinedNetwork n;
  apply_cni_result(r, n);
  CHECK(n.ip == "10.1.2.3");
  CHECK(n.mask == "16");
  CHECK(n.gateway == "10.1.0.1");
}

TEST_CASE("a result without an address is an error") {
  JoinedNetwork n;
  CHECK_THROWS_AS(apply_cni_result(json::parse(R"({"cniVersion":"1.0.0","ips":[]})"), n),
                  pod::Error);
  CHECK_THROWS_AS(apply_cni_result(json::parse("[]"), n), pod::Error);
}
