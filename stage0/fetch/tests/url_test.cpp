#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage0/fetch/http_client.hpp"
#include "stage0/fetch/image_source.hpp"
#include "stage0/fetch/url.hpp"

using namespace pod::fetch;

TEST_CASE("urls: parts, default ports and signature URLs") {
  auto u = parse_url("https://Example.com/a/b%20c.aci");
  CHECK(u.scheme == "https");
  CHECK(u.host == "example.com");
  CHECK(u.port == 443);
  CHECK(u.path == "/a/b c.aci");
  CHECK(parse_url("http://127.0.0.1:8080/x").port == 8080);
  CHECK(parse_url("https://[::1]:9/x").host == "::1");
  CHECK_THROWS_AS((void)parse_url("not a url"), pod::UsageError);
  CHECK(signature_url_of("https://h/i.aci") == "https://h/i.aci.asc");
  CHECK(signature_url_of("https://h/i.aci?x=1") == "https://h/i.aci.asc?x=1");
}

TEST_CASE("image arguments are told apart by their text") {
  CHECK(classify_image("sha512-abc").kind == SourceKind::image_id);
  CHECK(classify_image("https://example.com/i.aci").kind == SourceKind::url);
  CHECK(classify_image("http://example.com/i.aci").kind == SourceKind::url);
  auto f = classify_image("file:///tmp/x.aci");
  CHECK(f.kind == SourceKind::file);
  CHECK(f.value == "/tmp/x.aci");
  CHECK(classify_image("/abs/x.aci").kind == SourceKind::file);
  auto rel = classify_image("rel.aci");
  CHECK(rel.kind == SourceKind::file);
  CHECK(rel.value.front() == '/');
  CHECK(classify_image("example.com/app:1.0").kind == SourceKind::name);
  CHECK(classify_image("example.com/app,version=1.0,os=linux").kind == SourceKind::name);
  CHECK(classify_image("docker://busybox").kind == SourceKind::oci);
  CHECK(classify_image("oci:/srv/layout:v1").kind == SourceKind::oci);
  CHECK(classify_image("docker-archive:img.tar").kind == SourceKind::oci);
}

TEST_CASE("Cache-Control max-age") {
  CHECK(parse_max_age("max-age=600") == 600);
  CHECK(parse_max_age("public, Max-Age=60") == 60);
  CHECK(parse_max_age("max-age=\"30\"") == 30);
  CHECK(parse_max_age("no-cache, max-age=600") == 0);
  CHECK(parse_max_age("no-store") == 0);
  CHECK(parse_max_age("max-age=abc") == 0);
  CHECK(parse_max_age("") == 0);
}
