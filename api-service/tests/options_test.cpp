#include <doctest/doctest.h>

#include "api-service/options.hpp"

using namespace pod::api;

TEST_CASE("listen addresses") {
  auto a = parse_listen("127.0.0.1:15441");
  CHECK_FALSE(a.unix_socket);
  CHECK(a.port == 15441);
  CHECK(a.loopback);
  CHECK(a.grpc_uri() == "127.0.0.1:15441");
  CHECK(parse_listen("localhost:1").loopback);
  CHECK(parse_listen("127.1.2.3:1").loopback);
  CHECK(parse_listen("[::1]:1").loopback);
  CHECK_FALSE(parse_listen("0.0.0.0:1").loopback);
  CHECK_FALSE(parse_listen(":15441").loopback);
  CHECK(parse_listen(":15441").grpc_uri() == "[::]:15441");
  CHECK_FALSE(parse_listen("192.168.1.5:1").loopback);
  auto u = parse_listen("unix:/run/pod-api.sock");
  CHECK(u.unix_socket);
  CHECK(u.path == "/run/pod-api.sock");
  CHECK(u.grpc_uri() == "unix:/run/pod-api.sock");
  CHECK_THROWS_AS((void)parse_listen("unix:relative.sock"), pod::UsageError);
  CHECK_THROWS_AS((void)parse_listen("127.0.0.1"), pod::UsageError);
  CHECK_THROWS_AS((void)parse_listen("127.0.0.1:99999"), pod::UsageError);
  CHECK_THROWS_AS((void)parse_listen("::1:80"), pod::UsageError);
}

TEST_CASE("command line") {
  auto o = parse_options({"--dir", "/d", "--listen=unix:/tmp/x.sock", "--socket-mode=0600",
                          "--insecure-options=image"});
  CHECK(o.service.data_dir == "/d");
  CHECK(o.listen == "unix:/tmp/x.sock");
  CHECK(o.listen_given);
  CHECK(o.socket_mode == 0600);
  CHECK(o.service.insecure_options == "image");
  auto d = parse_options({});
  CHECK(d.listen == kDefaultListen);
  CHECK_FALSE(d.listen_given);
  CHECK_FALSE(d.allow_non_loopback);
  CHECK(parse_options({"--help"}).help.has_value());
  CHECK_THROWS_AS((void)parse_options({"extra"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_options({"--bogus"}), pod::UsageError);
  CHECK_THROWS_AS((void)parse_options({"--socket-mode=999"}), pod::UsageError);
}
