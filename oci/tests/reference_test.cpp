#include <doctest/doctest.h>

#include "common/error.hpp"
#include "oci/reference.hpp"

using namespace pod::oci;

TEST_CASE("docker names get Docker's defaults") {
  auto n = parse_docker_name("busybox");
  CHECK(n.domain == "docker.io");
  CHECK(n.repository == "library/busybox");
  CHECK(n.tag == "latest");
  CHECK(n.api_host() == "registry-1.docker.io");
  CHECK(n.reference() == "docker.io/library/busybox:latest");

  auto t = parse_docker_name("team/app:1.2");
  CHECK(t.domain == "docker.io");
  CHECK(t.repository == "team/app");
  CHECK(t.tag == "1.2");

  auto h = parse_docker_name("localhost:5000/a/b:v");
  CHECK(h.domain == "localhost:5000");
  CHECK(h.repository == "a/b");
  CHECK(h.name() == "localhost:5000/a/b");
  CHECK(h.api_host() == "localhost:5000");

  auto l = parse_docker_name("localhost/app");
  CHECK(l.domain == "localhost");
  CHECK(l.repository == "app");

  std::string dg = "sha256:" + std::string(64, 'a');
  auto d = parse_docker_name("quay.io/x/y@" + dg);
  CHECK(d.digest == dg);
  CHECK(d.tag.empty());
  CHECK(d.reference() == "quay.io/x/y@" + dg);
}

TEST_CASE("bad docker names are usage errors") {
  for (const char* bad : {"", "UPPER", "a//b", "app:bad:tag", "app@sha256:12", "-x", "a:",
                          "host:port/app", "a/b_-c"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS((void)parse_docker_name(bad), pod::UsageError);
  }
  CHECK_NOTHROW((void)parse_docker_name("a/b__c"));
  CHECK_NOTHROW((void)parse_docker_name("a/b---c.d_e"));
}

TEST_CASE("transports as skopeo parses them") {
  auto o = parse_reference("oci:/srv/my.layout:ref:with:colons");
  CHECK(o.transport == Transport::oci_layout);
  CHECK(o.path == "/srv/my.layout");
  CHECK(o.ref == "ref:with:colons");
  auto o2 = parse_reference("oci:relative/dir");
  CHECK(o2.path == "relative/dir");
  CHECK(o2.ref.empty());
  auto a = parse_reference("docker-archive:/tmp/img.tar:example.com/app:2");
  CHECK(a.transport == Transport::docker_archive);
  CHECK(a.path == "/tmp/img.tar");
  CHECK(a.has_name);
  CHECK(a.docker.reference() == "example.com/app:2");
  auto a2 = parse_reference("docker-archive:img.tar");
  CHECK_FALSE(a2.has_name);
  auto d = parse_reference("docker://busybox");
  CHECK(d.transport == Transport::docker);
  CHECK(d.docker.repository == "library/busybox");
  CHECK(is_oci_reference("docker://x"));
  CHECK(is_oci_reference("oci:x"));
  CHECK_FALSE(is_oci_reference("example.com/app"));
  CHECK_THROWS_AS((void)parse_reference("oci:"), pod::UsageError);
  CHECK_THROWS_AS((void)parse_reference("docker-archive:"), pod::UsageError);
  CHECK_THROWS_AS((void)parse_reference("docker-archive:x.tar:app@sha256:" + std::string(64, 'a')),
                  pod::UsageError);
}

TEST_CASE("appc names for docker names") {
  CHECK(appc_name_for("localhost:5000/team/app") == "localhost-5000/team/app");
  CHECK(appc_name_for("docker.io/library/busybox") == "docker.io/library/busybox");
  CHECK(appc_name_for("Weird__Name") == "weird_name");
  CHECK(appc_name_for(":::") == "image");
}
