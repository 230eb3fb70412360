#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/net/pod_network.hpp"

using namespace pod::stage1::net;
using Mode = NetworkSelection::Mode;

TEST_CASE("no --net means the default network") {
  auto s = parse_net_flags({});
  CHECK(s.mode == Mode::networks);
  REQUIRE(s.networks.size() == 1);
  CHECK(s.networks[0].name == "default");
  CHECK(s.networks[0].args.empty());
}

TEST_CASE("host and none") {
  CHECK(parse_net_flags({"host"}).mode == Mode::host);
  CHECK(parse_net_flags({"none"}).mode == Mode::none);
  CHECK(parse_net_flags({"none", "none"}).mode == Mode::none);
  CHECK(parse_net_flags({"host"}).networks.empty());
}

TEST_CASE("several networks with CNI_ARGS, in order, over several flags") {
  auto s = parse_net_flags({"default,lan:IP=10.1.0.5;IgnoreUnknown=1", "other"});
  CHECK(s.mode == Mode::networks);
  REQUIRE(s.networks.size() == 3);
  CHECK(s.networks[0].name == "default");
  CHECK(s.networks[1].name == "lan");
  CHECK(s.networks[1].args == "IP=10.1.0.5;IgnoreUnknown=1");
  CHECK(s.networks[2].name == "other");
}

TEST_CASE("malformed --net values are usage errors") {
  CHECK_THROWS_AS((void)parse_net_flags({"host,default"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({"host", "none"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({"host:x=1"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({"a,,b"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({""}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({"../etc"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({"a b"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_net_flags({"lan,lan:x=1"}), pod::UsageError);
}
