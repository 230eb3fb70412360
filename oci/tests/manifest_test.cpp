#include <doctest/doctest.h>

#include "common/error.hpp"
#include "oci/config.hpp"
#include "oci/digest.hpp"
#include "oci/layout.hpp"
#include "oci/manifest.hpp"

using namespace pod::oci;

namespace {
const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
}  // namespace

TEST_CASE("digests") {
  CHECK(sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(is_digest(kA));
  CHECK_FALSE(is_digest("sha256:" + std::string(64, 'A')));
  CHECK_FALSE(is_digest("md5:abc"));
  CHECK_THROWS_AS((void)parse_digest("sha256:zz"), pod::Error);
}

TEST_CASE("an OCI manifest and a Docker schema 2 manifest") {
  std::string m = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + kA + R"(","size":7},
    "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":")" + kB + R"(","size":9}]})";
  auto p = parse_manifest(m, "", "x");
  REQUIRE_FALSE(p.is_index);
  CHECK(p.manifest.config.digest == kA);
  REQUIRE(p.manifest.layers.size() == 1);
  CHECK(layer_compression(p.manifest.layers[0]) == LayerCompression::zstd);
  std::string d = R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + kA +
                  R"(","size":1},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":")" +
                  kB + R"(","size":2}]})";
  auto q = parse_manifest(d, "application/vnd.docker.distribution.manifest.v2+json", "y");
  CHECK(layer_compression(q.manifest.layers[0]) == LayerCompression::gzip);
}

TEST_CASE("schema 1 and garbage are refused clearly") {
  try {
    (void)parse_manifest(R"({"schemaVersion":1,"name":"x"})", "", "docker://x");
    FAIL("accepted schema 1");
  } catch (const pod::Error& e) {
    CHECK(std::string(e.what()).find("schema 1") != std::string::npos);
  }
  CHECK_THROWS_AS((void)parse_manifest("{}", "application/vnd.docker.distribution.manifest.v1+prettyjws", "x"), pod::Error);
  CHECK_THROWS_AS((void)parse_manifest("[1]", "", "x"), pod::Error);
  CHECK_THROWS_AS((void)parse_manifest(R"({"schemaVersion":2,"config":{"digest":"bad","size":1},"layers":[]})", "", "x"), pod::Error);
  CHECK_THROWS_AS((void)parse_manifest(R"({"schemaVersion":2,"config":{"digest":")" + kA + R"(","size":-1},"layers":[]})", "", "x"), pod::Error);
}

TEST_CASE("an index: the host's platform is chosen, or the platforms are listed") {
  std::string idx = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"mediaType":"m","digest":")" + kA + R"(","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
    {"mediaType":"m","digest":")" + kB + R"(","size":1,"platform":{"os":"linux","architecture":"amd64"}}]})";
  auto p = parse_manifest(idx, "", "x");
  REQUIRE(p.is_index);
  CHECK(select_platform(p.index, {"linux", "amd64", ""}, "x").digest == kB);
  CHECK(select_platform(p.index, {"linux", "arm64", "v8"}, "x").digest == kA);
  CHECK(select_platform(p.index, {"linux", "arm64", ""}, "x").digest == kA);
  try {
    (void)select_platform(p.index, {"linux", "s390x", ""}, "docker://x");
    FAIL("no error");
  } catch (const pod::Error& e) {
    std::string w = e.what();
    CHECK(w.find("linux/arm64/v8") != std::string::npos);
    CHECK(w.find("linux/amd64") != std::string::npos);
  }
}

TEST_CASE("unknown layer types are named") {
  Descriptor d;
  d.media_type = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
  d.digest = kA;
  CHECK_THROWS_AS((void)layer_compression(d), pod::Error);
  d.media_type = "text/plain";
  CHECK_THROWS_AS((void)layer_compression(d), pod::Error);
}

TEST_CASE("image configuration") {
  auto c = parse_config(R"({"architecture":"amd64","os":"linux","config":{"User":"app:grp",
    "Env":["A=1","EMPTY="],"Entrypoint":["/bin/sh"],"Cmd":null,"WorkingDir":"/w",
    "ExposedPorts":{"80/tcp":{},"53/udp":{}},"Volumes":{"/data":{}},"StopSignal":"SIGINT",
    "Labels":{"k":"v"}},"rootfs":{"type":"layers","diff_ids":[")" + kA + R"("]}})", "x");
  CHECK(c.user == "app:grp");
  CHECK(c.env.size() == 2);
  CHECK(c.entrypoint->at(0) == "/bin/sh");
  CHECK_FALSE(c.cmd.has_value());
  CHECK(c.exposed_ports == std::vector<std::string>{"53/udp", "80/tcp"});
  CHECK(c.volumes == std::vector<std::string>{"/data"});
  CHECK(c.stop_signal == "SIGINT");
  CHECK(c.labels.at("k") == "v");
  CHECK(c.diff_ids == std::vector<std::string>{kA});
  CHECK(parse_port("8080").protocol == "tcp");
  CHECK(parse_port("53/udp").port == 53);
  CHECK_THROWS_AS((void)parse_port("0/tcp"), pod::Error);
  CHECK_THROWS_AS((void)parse_port("80/sctp"), pod::Error);
  CHECK_THROWS_AS((void)parse_config(R"({"rootfs":{"type":"layers"}})", "x"), pod::Error);
  CHECK_THROWS_AS((void)parse_config(R"({"config":{"WorkingDir":"rel"},"rootfs":{"type":"layers","diff_ids":[]}})", "x"), pod::Error);
  CHECK_THROWS_AS((void)parse_config(R"({"config":{"Env":["NOEQUALS"]},"rootfs":{"type":"layers","diff_ids":[]}})", "x"), pod::Error);
}

TEST_CASE("layout blob paths are built from validated digests") {
  CHECK(layout_blob_path("/l", kA) == "/l/blobs/sha256/" + std::string(64, 'a'));
  CHECK_THROWS_AS((void)layout_blob_path("/l", "sha256:../../etc/passwd"), pod::Error);
}
