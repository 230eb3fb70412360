#include "aci/discovery.hpp"

#include <doctest/doctest.h>

using namespace pod::aci;

TEST_CASE("discovery: meta tags are found whatever the quoting, order and case") {
  const char* html = R"(<!DOCTYPE html><html><head>
    <meta name="ac-discovery" content="example.com https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}">
    <META content='example.com   https://mirror.example.com/{name}.{ext}' NAME='AC-Discovery' />
    <meta name=ac-discovery-pubkeys content="example.com https://example.com/pubkeys.gpg">
    <!-- <meta name="ac-discovery" content="example.com https://commented.out/{name}.{ext}"> -->
    <meta name="description" content="not a discovery tag">
    <meta name="ac-discovery" content="only-one-field">
    <meta name="ac-discovery" content="example.com https://x/{name}.{ext}?a=1&amp;b=2">
    <metadata name="ac-discovery" content="example.com https://wrong.tag/{ext}">
  </head></html>)";
  auto page = parse_discovery_page(html);
  REQUIRE(page.templates.size() == 3);
  CHECK(page.templates[0] ==
        DiscoveryTag{"example.com", "https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}"});
  CHECK(page.templates[1] == DiscoveryTag{"example.com", "https://mirror.example.com/{name}.{ext}"});
  CHECK(page.templates[2].url == "https://x/{name}.{ext}?a=1&b=2");
  REQUIRE(page.pubkeys.size() == 1);
  CHECK(page.pubkeys[0] == DiscoveryTag{"example.com", "https://example.com/pubkeys.gpg"});
}

TEST_CASE("discovery: truncated and empty pages do not crash") {
  CHECK(parse_discovery_page("").templates.empty());
  CHECK(parse_discovery_page("<meta name=\"ac-discovery\" content=\"a b").templates.empty());
  CHECK(parse_discovery_page("<!-- never closed <meta name=ac-discovery content='a b'>")
            .templates.empty());
  CHECK(parse_discovery_page("<<<<meta").templates.empty());
}

TEST_CASE("discovery: prefix matching is by path component") {
  CHECK(prefix_matches("example.com", "example.com"));
  CHECK(prefix_matches("example.com", "example.com/app"));
  CHECK(prefix_matches("example.com/", "example.com/app"));
  CHECK_FALSE(prefix_matches("example.com", "example.community/app"));
  CHECK_FALSE(prefix_matches("example.com/app", "example.com"));
  CHECK_FALSE(prefix_matches("", "example.com"));
}

TEST_CASE("discovery: candidates walk up the name") {
  CHECK(discovery_candidates("example.com/project/app") ==
        std::vector<std::string>{"example.com/project/app", "example.com/project", "example.com"});
  CHECK(discovery_candidates("example.com") == std::vector<std::string>{"example.com"});
  CHECK(discovery_candidates("127.0.0.1:8080/a/") ==
        std::vector<std::string>{"127.0.0.1:8080/a", "127.0.0.1:8080"});
  CHECK(discovery_url("example.com/app", false) == "https://example.com/app?ac-discovery=1");
  CHECK(discovery_url("example.com/app", true) == "http://example.com/app?ac-discovery=1");
}

TEST_CASE("discovery: templates render every variable or nothing") {
  TemplateValues labels{{"version", "1.0.0"}, {"os", "linux"}, {"arch", "amd64"}};
  auto r = render_template("https://s.example.com/{os}/{arch}/{name}-{version}.{ext}",
                           "example.com/worker", labels, "aci");
  REQUIRE(r);
  CHECK(r->url == "https://s.example.com/linux/amd64/example.com/worker-1.0.0.aci");
  CHECK(r->labels_used == 3);
  CHECK_FALSE(render_template("https://x/{name}-{channel}.{ext}", "n", labels, "aci"));
  CHECK_FALSE(render_template("https://x/{name", "n", labels, "aci"));
  auto plain = render_template("https://x/fixed.{ext}", "n", labels, "aci.asc");
  REQUIRE(plain);
  CHECK(plain->url == "https://x/fixed.aci.asc");
  CHECK(plain->labels_used == 0);
}

TEST_CASE("discovery: only the best matching templates are used (spec example)") {
  DiscoveryPage page;
  page.templates = {
      {"example.com", "https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}"},
      {"example.com", "https://mirror.storage.example.com/{os}/{arch}/{name}-{version}.{ext}"},
      {"example.com", "https://storage.example.com/{os}/{arch}/{name}-latest.{ext}"},
      {"other.org", "https://other.org/{name}.{ext}"},
      {"example.com", "hdfs://storage.example.com/{name}-{version}-{os}-{arch}.{ext}"},
      {"example.com", "https://no-ext.example.com/{name}.aci"},
  };
  TemplateValues with_version{{"version", "1.0.0"}, {"os", "linux"}, {"arch", "amd64"}};
  auto eps = best_endpoints(page, "example.com/reduce-worker", with_version);
  REQUIRE(eps.size() == 2);
  CHECK(eps[0].aci_url ==
        "https://storage.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci");
  CHECK(eps[0].signature_url ==
        "https://storage.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci.asc");
  CHECK(eps[1].aci_url ==
        "https://mirror.storage.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci");

  TemplateValues without_version{{"os", "linux"}, {"arch", "amd64"}};
  auto latest = best_endpoints(page, "example.com/reduce-worker", without_version);
  REQUIRE(latest.size() == 1);
  CHECK(latest[0].aci_url ==
        "https://storage.example.com/linux/amd64/example.com/reduce-worker-latest.aci");

  CHECK(best_endpoints(page, "unrelated.net/app", with_version).empty());
}

TEST_CASE("discovery: pubkeys are filtered by prefix") {
  DiscoveryPage page;
  page.pubkeys = {{"example.com", "https://example.com/keys.gpg"},
                  {"example.com/other", "https://example.com/other.gpg"},
                  {"example.com", "ftp://example.com/keys.gpg"}};
  CHECK(matching_pubkeys(page, "example.com/app") ==
        std::vector<std::string>{"https://example.com/keys.gpg"});
  CHECK(matching_pubkeys(page, "example.com/other/x").size() == 2);
}
