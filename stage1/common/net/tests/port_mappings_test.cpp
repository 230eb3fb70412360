#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/net/port_mappings.hpp"

using namespace pod;
using namespace pod::stage1::net;

namespace {

aci::ImageManifest image_with_ports(const std::string& ports_json) {
  return aci::ImageManifest::parse(R"({"acKind":"ImageManifest","acVersion":"0.8.11",
    "name":"example.com/web","app":{"exec":["/web"],"user":"0","group":"0","ports":)" +
                                   ports_json + "}}");
}

aci::PodManifest pod_with_ports(const std::string& ports_json) {
  return aci::PodManifest::parse(R"({"acKind":"PodManifest","acVersion":"0.8.11",
    "apps":[{"name":"web","image":{"id":"sha512-)" + std::string(64, 'a') +
                                 R"("}},{"name":"side","image":{"id":"sha512-)" +
                                 std::string(64, 'b') + R"("}}],"ports":)" + ports_json + "}");
}

}  // namespace

TEST_CASE("an exposed port maps to the app port of that name") {
  auto pod = pod_with_ports(R"([{"name":"http","hostPort":8080,"hostIP":"127.0.0.1"}])");
  std::vector<std::pair<std::string, aci::ImageManifest>> apps = {
      {"web", image_with_ports(R"([{"name":"http","protocol":"tcp","port":80}])")},
      {"side", image_with_ports(R"([{"name":"dns","protocol":"udp","port":53}])")}};
  auto m = match_ports(pod, apps);
  REQUIRE(m.size() == 1);
  CHECK(m[0].app == "web");
  CHECK(m[0].container_port == 80);
  CHECK(m[0].host_port == 8080);
  CHECK(m[0].host_ip == "127.0.0.1");
  auto j = port_mappings_json(m);
  CHECK(j[0]["hostPort"] == 8080);
  CHECK(j[0]["containerPort"] == 80);
  CHECK(j[0]["protocol"] == "tcp");
  CHECK(j[0]["hostIP"] == "127.0.0.1");
}

TEST_CASE("a port no app declares is refused, naming the port and what is declared") {
  auto pod = pod_with_ports(R"([{"name":"nope","hostPort":8080}])");
  std::vector<std::pair<std::string, aci::ImageManifest>> apps = {
      {"web", image_with_ports(R"([{"name":"http","protocol":"tcp","port":80}])")},
      {"side", image_with_ports("[]")}};
  try {
    (void)match_ports(pod, apps);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
    CHECK(e.hint().find("web:http (tcp/80)") != std::string::npos);
  }
}

TEST_CASE("a port name two apps declare is ambiguous") {
  auto pod = pod_with_ports(R"([{"name":"http","hostPort":8080}])");
  std::vector<std::pair<std::string, aci::ImageManifest>> apps = {
      {"web", image_with_ports(R"([{"name":"http","protocol":"tcp","port":80}])")},
      {"side", image_with_ports(R"([{"name":"http","protocol":"tcp","port":81}])")}};
  CHECK_THROWS_WITH_AS((void)match_ports(pod, apps), doctest::Contains("both declare"), Error);
}

TEST_CASE("a podPort maps without an app (a sandbox's --port)") {
  auto pod = pod_with_ports(R"([{"name":"web","hostPort":9090,"podPort":{"name":"web","protocol":"udp","port":53}}])");
  auto m = match_ports(pod, {});
  REQUIRE(m.size() == 1);
  CHECK(m[0].app.empty());
  CHECK(m[0].protocol == "udp");
  CHECK(m[0].container_port == 53);
  CHECK(m[0].host_port == 9090);
}
