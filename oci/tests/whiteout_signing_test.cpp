#include <doctest/doctest.h>

#include "common/error.hpp"
#include "oci/auth.hpp"
#include "oci/simple_signing.hpp"
#include "oci/whiteout.hpp"

using namespace pod::oci;

TEST_CASE("whiteout entries") {
  auto w = classify_entry("./etc/.wh.passwd");
  CHECK(w.kind == EntryKind::whiteout);
  CHECK(w.dir == "etc");
  CHECK(w.target == "passwd");
  auto o = classify_entry("var/lib/.wh..wh..opq");
  CHECK(o.kind == EntryKind::opaque);
  CHECK(o.dir == "var/lib");
  auto top = classify_entry(".wh.x");
  CHECK(top.kind == EntryKind::whiteout);
  CHECK(top.dir.empty());
  CHECK(classify_entry("usr/bin/ls").kind == EntryKind::plain);
  CHECK(classify_entry("etc/").kind == EntryKind::plain);
  CHECK_THROWS_AS((void)classify_entry("a/.wh."), pod::Error);
  CHECK_THROWS_AS((void)classify_entry("a/.wh..."), pod::Error);
  CHECK_THROWS_AS((void)classify_entry("a/.wh..wh.x"), pod::Error);
}

TEST_CASE("simple signing payloads") {
  std::string dg = "sha256:" + std::string(64, 'c');
  SignaturePayload p{"localhost:5000/team/app:1", dg, "pod test", 1700000000};
  auto back = parse_signature_payload(make_signature_payload(p));
  CHECK(back.docker_reference == p.docker_reference);
  CHECK(back.manifest_digest == dg);
  CHECK(back.creator == "pod test");
  CHECK(back.timestamp == 1700000000);
  CHECK_THROWS_AS((void)parse_signature_payload(R"({"critical":{"type":"other","image":{},"identity":{}}})"), pod::Error);
  CHECK_THROWS_AS((void)parse_signature_payload(
                      R"({"critical":{"type":"atomic container signature","image":{"docker-manifest-digest":")" + dg +
                      R"("},"identity":{"docker-reference":"x"},"extra":1}})"),
                  pod::Error);
  CHECK_THROWS_AS((void)parse_signature_payload("not json"), pod::Error);
}

TEST_CASE("a signature's reference must name the image fetched") {
  std::string dg = "sha256:" + std::string(64, 'c');
  CHECK(reference_matches("localhost:5000/a:1", "localhost:5000/a:1"));
  CHECK_FALSE(reference_matches("localhost:5000/a:1", "localhost:5000/a:2"));
  CHECK_FALSE(reference_matches("localhost:5000/b:1", "localhost:5000/a:1"));
  CHECK_FALSE(reference_matches("other:5000/a:1", "localhost:5000/a:1"));
  CHECK(reference_matches("localhost:5000/a:1", "localhost:5000/a@" + dg));
  CHECK(reference_matches("busybox", "docker.io/library/busybox:latest"));
  CHECK_FALSE(reference_matches("garbage!!", "localhost:5000/a:1"));
}

TEST_CASE("lookaside layout as containers/image writes it") {
  std::string dg = "sha256:" + std::string(64, 'd');
  CHECK(lookaside_url("file:///s/", "team/app", dg, 1) ==
        "file:///s/team/app@sha256=" + std::string(64, 'd') + "/signature-1");
  CHECK_THROWS_AS((void)lookaside_url("file:///s", "a", "sha256:x", 1), pod::Error);
}

TEST_CASE("registry authentication pieces") {
  auto c = parse_challenge(R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull")");
  CHECK(c.scheme == "bearer");
  CHECK(c.params["realm"] == "https://auth.example/token");
  CHECK(c.params["service"] == "registry.example");
  CHECK(c.params["scope"] == "repository:a/b:pull");
  CHECK(parse_challenge("Basic realm=\"x\"").scheme == "basic");
  CHECK_THROWS_AS((void)parse_challenge(""), pod::Error);
  CHECK(base64_encode("user:pass") == "dXNlcjpwYXNz");
  CHECK(base64_encode("a") == "YQ==");
  CHECK(base64_encode("ab") == "YWI=");
  CHECK(base64_decode("dXNlcjpwYXNz") == "user:pass");
  CHECK_THROWS_AS((void)base64_decode("***"), pod::Error);
  auto f = parse_docker_auth_file(R"({"rktKind":"dockerAuth","rktVersion":"v1","registries":["localhost:5000"],
    "credentials":{"user":"u","password":"p"}})", "f.json");
  REQUIRE(f.has_value());
  CHECK(f->registries[0] == "localhost:5000");
  CHECK(f->credentials.user == "u");
  CHECK_FALSE(parse_docker_auth_file(R"({"rktKind":"auth","rktVersion":"v1"})", "g.json").has_value());
  CHECK_THROWS_AS((void)parse_docker_auth_file(R"({"rktKind":"dockerAuth","rktVersion":"v1","registries":[]})", "h"), pod::Error);
  auto cfg = parse_docker_config(R"({"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},
    "127.0.0.1:5000":{"username":"a","password":"b"},"helper.example":{}}})", "config.json");
  CHECK(cfg.at("index.docker.io").password == "pass");
  CHECK(cfg.at("127.0.0.1:5000").user == "a");
  CHECK(cfg.count("helper.example") == 0);
}
