#include <doctest/doctest.h>

#include "api-service/convert.hpp"

using namespace pod::api;
using pod::pods::PodState;

TEST_CASE("networks from net-info.json") {
  v1alpha::Pod p;
  add_networks(nlohmann::json::parse(R"([{"netName":"default","ifName":"eth0","ip":"172.16.28.7","mask":"24"},
                                         {"netName":"v6","ip":"fd00::5/64"},
                                         {"ip":"10.0.0.1"}])"),
               p);
  REQUIRE(p.networks_size() == 2);
  CHECK(p.networks(0).name() == "default");
  CHECK(p.networks(0).ipv4() == "172.16.28.7");
  CHECK(p.networks(1).ipv6() == "fd00::5");
  CHECK(p.networks(1).ipv4().empty());
}

TEST_CASE("pods before preparing ends show only id and state, as rkt's") {
  PodRecord rec;
  rec.entry.uuid = "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";
  rec.entry.state = PodState::preparing;
  rec.info.apps.push_back({});
  auto p = to_proto(rec, true, {});
  CHECK(p.state() == v1alpha::POD_STATE_PREPARING);
  CHECK(p.apps_size() == 0);
}

TEST_CASE("apps: state and exit code, and the image's detail only when asked") {
  PodRecord rec;
  rec.entry.uuid = "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";
  rec.entry.state = PodState::exited;
  pod::pods::AppInfo a;
  a.name = "web";
  a.image_id = "sha512-1";
  a.image_name = "example.com/web";
  a.exit_code = 4;
  rec.info.apps.push_back(a);
  rec.manifest_text = "{}";
  pod::store::ImageRecord img;
  img.id = "sha512-1";
  img.name = "example.com/web";
  img.labels.set("version", "1.0");
  img.manifest_text = R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/web"})";
  ImageLookup lookup = [&](const std::string& id) -> std::optional<pod::store::ImageRecord> {
    if (id == img.id) return img;
    return std::nullopt;
  };
  auto plain = to_proto(rec, false, lookup);
  CHECK(plain.apps(0).state() == v1alpha::APP_STATE_EXITED);
  CHECK(plain.apps(0).exit_code() == 4);
  CHECK(plain.apps(0).image().name().empty());
  CHECK(plain.manifest().empty());
  auto detailed = to_proto(rec, true, lookup);
  CHECK(detailed.apps(0).image().version() == "1.0");
  CHECK(detailed.apps(0).image().base_format().version() == "0.8.11");
  CHECK(detailed.manifest() == "{}");
  CHECK(to_proto(PodState::exited_garbage) == v1alpha::POD_STATE_GARBAGE);
}

TEST_CASE("OCI images say so in their base format") {
  v1alpha::Image img;
  img.set_id("sha512-2");
  img.mutable_base_format()->set_type(v1alpha::IMAGE_TYPE_APPC);
  mark_oci(img, {{"sha512-1", "x"}});
  CHECK(img.base_format().type() == v1alpha::IMAGE_TYPE_APPC);
  mark_oci(img, {{"sha512-2", "application/vnd.oci.image.manifest.v1+json"}});
  CHECK(img.base_format().type() == v1alpha::IMAGE_TYPE_OCI);
  CHECK(img.base_format().version() == "application/vnd.oci.image.manifest.v1+json");
}
