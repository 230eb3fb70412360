#include <doctest/doctest.h>

#include "stage1/common/init/socket_activation.hpp"

using namespace pod::stage1::init;

namespace {

pod::aci::Port port(uint16_t number, bool activated, uint32_t count = 1) {
  pod::aci::Port p;
  p.name = "p" + std::to_string(number);
  p.protocol = "tcp";
  p.port = number;
  p.count = count;
  p.socket_activated = activated;
  return p;
}

}  // namespace

TEST_CASE("one socket-activated app gets every socket, whatever its ports") {
  std::vector<SocketAppPorts> apps{{"db", {port(5432, false)}}, {"web", {port(80, true)}}};
  auto a = assign_sockets(apps, {uint16_t{8080}, std::nullopt, uint16_t{80}});
  REQUIRE(a.by_app.size() == 1);
  CHECK(a.by_app["web"] == std::vector<size_t>{0, 1, 2});
  CHECK(a.unassigned.empty());
}

TEST_CASE("no socket-activated app: nobody gets the sockets") {
  std::vector<SocketAppPorts> apps{{"web", {port(80, false)}}, {"bare", {}}};
  auto a = assign_sockets(apps, {uint16_t{80}});
  CHECK(a.by_app.empty());
  CHECK(a.unassigned == std::vector<size_t>{0});
}

TEST_CASE("several socket-activated apps: by the socket's port, first app in order wins") {
  std::vector<SocketAppPorts> apps{{"a", {port(80, true), port(9000, false)}},
                                   {"b", {port(9000, true, 10)}},
                                   {"c", {port(80, true)}}};
  auto a = assign_sockets(apps, {uint16_t{9005}, uint16_t{80}, uint16_t{9000}, uint16_t{9010}, std::nullopt});
  CHECK(a.by_app["a"] == std::vector<size_t>{1});
  CHECK(a.by_app["b"] == std::vector<size_t>{0, 2});
  CHECK(a.by_app.count("c") == 0);
  CHECK(a.unassigned == std::vector<size_t>{3, 4});
}

TEST_CASE("LISTEN_FDNAMES joins the sockets' names") {
  ListenSocket x;
  x.name = "http";
  ListenSocket y;
  y.name = "unknown";
  CHECK(listen_fdnames({&x, &y}) == "http:unknown");
  CHECK(listen_fdnames({}).empty());
}

TEST_CASE("LISTEN_FDS for another pid is not taken, and the variables are removed") {
  setenv("LISTEN_FDS", "1", 1);
  setenv("LISTEN_PID", "999999999", 1);
  setenv("LISTEN_FDNAMES", "x", 1);
  pod::Logger log(false);
  CHECK(take_listen_sockets(log).empty());
  CHECK(std::getenv("LISTEN_FDS") == nullptr);
  CHECK(std::getenv("LISTEN_PID") == nullptr);
  CHECK(std::getenv("LISTEN_FDNAMES") == nullptr);
}
