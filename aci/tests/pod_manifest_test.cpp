// The pod manifest and volumes: the spec's example, rkt's extensions, every validation
// rule (accepted and rejected, with the field named), round trips and rkt's --volume syntax.
#include <doctest/doctest.h>

#include "aci/manifest.hpp"
#include "aci/tests/manifest_checks.hpp"
#include "aci/validation_error.hpp"

using namespace pod::aci;
using namespace pod::aci::testing;
using nlohmann::json;

namespace {

const std::string kImageId = "sha512-" + std::string(128, 'a');

json minimal_pod() {
  return {{"acKind", "PodManifest"},
          {"acVersion", "0.8.11"},
          {"apps", json::array({json{{"name", "web"}, {"image", {{"id", kImageId}}}}})}};
}

// "field: rule" of the ValidationError thrown when the minimal pod, changed by `edit`, is parsed.
std::string rejection(const JsonEdit& edit) { return rejection_of<PodManifest>(minimal_pod(), edit); }

void accepts(const JsonEdit& edit) { check_accepted<PodManifest>(minimal_pod(), edit); }

std::string flag_rejection(std::string_view text) {
  try {
    (void)Volume::parse_flag(text);
  } catch (const pod::UsageError& e) {
    return e.what();
  }
  FAIL("accepted " << text);
  return {};
}

}  // namespace

TEST_CASE("the spec's example pod manifest") {
  auto m = PodManifest::parse(read_manifest_seed("pod-spec-example.json"));
  REQUIRE(m.apps.size() == 3);
  const RuntimeApp* worker = m.find_app("reduce-worker");
  REQUIRE(worker);
  CHECK(worker->image.name == "example.com/reduce-worker");
  CHECK(worker->image.id.starts_with("sha512-"));
  CHECK(worker->image.labels.get("version") == "1.0.0");
  REQUIRE(worker->app);
  CHECK(worker->app->exec[0] == "/bin/reduce-worker");
  REQUIRE(worker->mounts.size() == 1);
  CHECK(worker->mounts[0].volume == "work");
  CHECK(worker->mounts[0].path == "/mnt/foo");
  CHECK(!worker->read_only_rootfs);
  const RuntimeApp* backup = m.find_app("backup");
  REQUIRE(backup);
  CHECK(backup->annotations.get("foo") == "baz");
  REQUIRE(backup->app);
  CHECK(backup->app->find_isolator("resource/memory"));
  CHECK(!m.find_app("register")->app);
  CHECK(!m.find_app("nope"));
  const Volume* work = m.find_volume("work");
  REQUIRE(work);
  CHECK(work->kind == "host");
  CHECK(work->source == "/opt/tenant1/work");
  CHECK(work->read_only == true);
  CHECK(!work->recursive);
  CHECK(!m.find_volume("other"));
  REQUIRE(m.isolators.size() == 1);
  CHECK(std::get<ResourceIsolator>(m.isolators[0].parsed).limit->value() == 4000000000);
  CHECK(m.annotations.get("ip-address") == "10.1.2.3");
  REQUIRE(m.ports.size() == 1);
  CHECK(m.ports[0].name == "ftp");
  CHECK(m.ports[0].host_port == 2121);
  CHECK(m.ports[0].host_ip.empty());
}

TEST_CASE("rkt's pod manifest extensions: empty volumes, appVolume, hostIP, user labels") {
  auto m = PodManifest::parse(read_manifest_seed("pod-rkt-volumes.json"));
  const Volume* scratch = m.find_volume("scratch");
  REQUIRE(scratch);
  CHECK(scratch->kind == "empty");
  CHECK(scratch->mode == "1777");
  CHECK(scratch->uid == 0);
  REQUIRE(m.apps.size() == 1);
  CHECK(m.apps[0].read_only_rootfs);
  REQUIRE(m.apps[0].mounts.size() == 2);
  REQUIRE(m.apps[0].mounts[1].app_volume);
  CHECK((*m.apps[0].mounts[1].app_volume)["source"] == "/srv/data");
  CHECK(m.ports[0].host_ip == "127.0.0.1");
  CHECK(m.user_labels.get("team") == "infra");
  CHECK(m.user_annotations.get("owner") == "alice");
}

TEST_CASE("pod manifests round trip without loss") {
  for (const char* seed : {"pod-spec-example.json", "pod-rkt-volumes.json"}) {
    CAPTURE(seed);
    const std::string text = read_manifest_seed(seed);
    auto first = PodManifest::parse(text);
    auto second = PodManifest::parse(first.serialize());
    CHECK(first.to_json() == second.to_json());
    CHECK(first.serialize() == second.serialize());
    CHECK(first.to_json() == json::parse(text));
  }
  json j = minimal_pod();
  j["x-top"] = 1;
  j["apps"][0]["x-app"] = {1};
  j["apps"][0]["image"]["x-image"] = "i";
  j["apps"][0]["mounts"] = {{{"volume", "v"}, {"path", "/v"}, {"x-mount", true}}};
  j["volumes"] = {{{"name", "v"}, {"kind", "host"}, {"source", "/v"}, {"x-volume", nullptr}}};
  j["ports"] = {{{"name", "http"}, {"hostPort", 80}, {"x-port", "p"}}};
  j["isolators"] = {{{"name", "os/unix/sysctl"}, {"value", {{"net.ipv4.ip_forward", "1"}}}}};
  auto m = PodManifest::parse(j.dump());
  CHECK(m.to_json() == j);
}

TEST_CASE("serialisation: acKind first, apps always present, defaults of empty volumes written") {
  PodManifest m;
  const std::string text = m.serialize();
  CHECK(text.find("\"acKind\"") < text.find("\"acVersion\""));
  CHECK(json::parse(text) == json{{"acKind", "PodManifest"}, {"acVersion", "0.8.11"}, {"apps", json::array()}});
  Volume v;
  v.name = "scratch";
  v.kind = "empty";
  CHECK(v.to_json() == json{{"name", "scratch"}, {"kind", "empty"}, {"mode", "0755"}, {"uid", 0}, {"gid", 0}});
  v.kind = "host";
  v.source = "/srv";
  v.read_only = false;
  CHECK(v.to_json() == json{{"name", "scratch"}, {"kind", "host"}, {"source", "/srv"}, {"readOnly", false}});
}

TEST_CASE("pod manifest top level and apps") {
  CHECK(rejection([](json& j) { j["acKind"] = "ImageManifest"; }) ==
        "acKind: must be \"PodManifest\", not \"ImageManifest\"");
  CHECK(rejection([](json& j) { j["acVersion"] = "latest"; }) ==
        "acVersion: \"latest\" is not a semantic version such as 0.8.11");
  accepts([](json& j) { j["apps"] = json::array(); });  // rkt's app sandbox starts with no apps
  accepts([](json& j) { j.erase("apps"); });
  CHECK(rejection([](json& j) { j["apps"] = {{"name", "web"}}; }) == "apps: must be a JSON list, not object");
  CHECK(rejection([](json& j) { j["apps"].push_back(j["apps"][0]); }) ==
        "apps[1].name: app \"web\" is defined more than once");
  CHECK(rejection([](json& j) { j["apps"][0]["name"] = "Web"; }).starts_with("apps[0].name: \"Web\" is not a valid AC Name"));
  CHECK(rejection([](json& j) { j["apps"][0].erase("name"); }) == "apps[0].name: is required");
  CHECK(rejection([](json& j) { j["apps"][0].erase("image"); }) == "apps[0].image: is required");
  CHECK(rejection([](json& j) { j["apps"][0]["image"].erase("id"); }) == "apps[0].image.id: is required");
  CHECK(rejection([](json& j) { j["apps"][0]["image"]["id"] = "sha512-..."; })
            .starts_with("apps[0].image.id: \"sha512-...\" is not a valid image ID"));
  CHECK(rejection([](json& j) { j["apps"][0]["image"]["name"] = "Example.com"; })
            .starts_with("apps[0].image.name: \"Example.com\" is not a valid AC Identifier"));
  CHECK(rejection([](json& j) {
          j["apps"][0]["image"]["labels"] = {{{"name", "arch"}, {"value", "amd64"}}, {{"name", "arch"}, {"value", "arm"}}};
        }) == "apps[0].image.labels[1].name: \"arch\" appears more than once");
  CHECK(rejection([](json& j) { j["apps"][0]["app"] = {{"exec", {"sh"}}, {"user", "0"}, {"group", "0"}}; }) ==
        "apps[0].app.exec[0]: \"sh\" must be an absolute path in the image");
  CHECK(rejection([](json& j) { j["apps"][0]["app"] = {{"exec", {"/bin/sh"}}, {"group", "0"}}; }) ==
        "apps[0].app.user: is required");
  CHECK(rejection([](json& j) { j["apps"][0]["readOnlyRootFS"] = "true"; }) ==
        "apps[0].readOnlyRootFS: must be true or false, not string");
  CHECK(rejection([](json& j) { j["apps"][0]["annotations"] = {{{"name", "a b"}, {"value", "x"}}}; })
            .starts_with("apps[0].annotations[0].name: \"a b\" is not a valid AC Identifier"));
}

TEST_CASE("mounts must reference a volume") {
  auto with_volume = [](json& j) {
    j["volumes"] = {{{"name", "data"}, {"kind", "host"}, {"source", "/srv/data"}}};
  };
  accepts([&](json& j) {
    with_volume(j);
    j["apps"][0]["mounts"] = {{{"volume", "data"}, {"path", "/data"}}};
  });
  CHECK(rejection([&](json& j) {
          with_volume(j);
          j["apps"][0]["mounts"] = {{{"volume", "data"}, {"path", "/data"}}, {{"volume", "logs"}, {"path", "/logs"}}};
        }) == "apps[0].mounts[1].volume: no volume named \"logs\" in the pod's volumes");
  CHECK(rejection([&](json& j) {
          with_volume(j);
          j["apps"][0]["mounts"] = {{{"volume", "data"}, {"path", "data"}}};
        }) == "apps[0].mounts[0].path: \"data\" must be an absolute path");
  CHECK(rejection([&](json& j) { j["apps"][0]["mounts"] = {{{"path", "/data"}}}; }) ==
        "apps[0].mounts[0].volume: is required");
  CHECK(rejection([&](json& j) { j["apps"][0]["mounts"] = {{{"volume", "Data"}, {"path", "/data"}}}; })
            .starts_with("apps[0].mounts[0].volume: \"Data\" is not a valid AC Name"));
  // An appVolume defines the volume inline.
  accepts([](json& j) {
    j["apps"][0]["mounts"] = {{{"volume", "tmp"}, {"path", "/tmp"}, {"appVolume", {{"name", "tmp"}, {"kind", "empty"}}}}};
  });
  CHECK(rejection([](json& j) {
          j["apps"][0]["mounts"] = {{{"volume", "tmp"}, {"path", "/tmp"}, {"appVolume", {{"name", "tmp"}, {"kind", "nfs"}}}}};
        }) == "apps[0].mounts[0].appVolume.kind: \"nfs\" is not a volume kind: use host or empty");
  CHECK(rejection([](json& j) {
          j["apps"][0]["mounts"] = {{{"volume", "tmp"}, {"path", "/tmp"}, {"appVolume", {{"name", "other"}, {"kind", "empty"}}}}};
        }) == "apps[0].mounts[0].appVolume.name: \"other\" must be the mount's volume name \"tmp\"");
}

TEST_CASE("volumes") {
  auto volume = [](json fields) {
    return [fields](json& j) { j["volumes"] = json::array({fields}); };
  };
  accepts(volume({{"name", "data"}, {"kind", "host"}, {"source", "/srv"}, {"readOnly", true}, {"recursive", false}}));
  accepts(volume({{"name", "tmp"}, {"kind", "empty"}}));
  accepts(volume({{"name", "tmp"}, {"kind", "empty"}, {"mode", "0700"}, {"uid", 1000}, {"gid", 4294967294u}}));
  CHECK(rejection(volume({{"name", "data"}, {"kind", "host"}})) ==
        "volumes[0].source: is required for a host volume: the directory on the host");
  CHECK(rejection(volume({{"name", "data"}, {"kind", "host"}, {"source", "srv"}})) ==
        "volumes[0].source: \"srv\" must be an absolute path");
  CHECK(rejection(volume({{"name", "data"}, {"kind", "host"}, {"source", "/srv"}, {"mode", "0700"}})) ==
        "volumes[0].mode: cannot be set for a host volume");
  CHECK(rejection(volume({{"name", "data"}, {"kind", "host"}, {"source", "/srv"}, {"uid", 1}})) ==
        "volumes[0].uid: cannot be set for a host volume");
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"source", "/srv"}})) ==
        "volumes[0].source: cannot be set for an empty volume");
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"mode", "0800"}})) ==
        "volumes[0].mode: \"0800\" is not a permission mode: write octal digits such as 0755");
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"mode", "rwx"}})).find("not a permission mode") !=
        std::string::npos);
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"mode", "17777"}})).find("not a permission mode") !=
        std::string::npos);
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"uid", -1}})) ==
        "volumes[0].uid: -1 is out of range (0..4294967294)");
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"gid", "0"}})) ==
        "volumes[0].gid: must be an integer, not string");
  CHECK(rejection(volume({{"name", "tmp"}})) == "volumes[0].kind: is required");
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "tmpfs"}})) ==
        "volumes[0].kind: \"tmpfs\" is not a volume kind: use host or empty");
  CHECK(rejection(volume({{"name", "Tmp"}, {"kind", "empty"}})).starts_with("volumes[0].name: \"Tmp\" is not a valid AC Name"));
  CHECK(rejection(volume({{"name", "tmp"}, {"kind", "empty"}, {"readOnly", "no"}})) ==
        "volumes[0].readOnly: must be true or false, not string");
  CHECK(rejection([](json& j) {
          j["volumes"] = {{{"name", "v"}, {"kind", "empty"}}, {{"name", "v"}, {"kind", "host"}, {"source", "/x"}}};
        }) == "volumes[1].name: volume \"v\" is defined more than once");
}

TEST_CASE("pod isolators, annotations and ports") {
  accepts([](json& j) { j["isolators"] = {{{"name", "resource/cpu"}, {"value", {{"limit", "2"}}}}}; });
  CHECK(rejection([](json& j) { j["isolators"] = {{{"name", "resource/cpu"}, {"value", {{"limit", "two"}}}}}; })
            .starts_with("isolators[0].value.limit: \"two\" is not a valid quantity"));
  CHECK(rejection([](json& j) { j["annotations"] = {{{"name", "ip-address"}}, {{"name", "ip-address"}}}; }) ==
        "annotations[1].name: \"ip-address\" appears more than once");
  accepts([](json& j) { j["ports"] = {{{"name", "http"}, {"hostPort", 8080}, {"hostIP", "::1"}}}; });
  CHECK(rejection([](json& j) { j["ports"] = {{{"name", "http"}, {"hostPort", 0}}}; }) ==
        "ports[0].hostPort: 0 is out of range (1..65535)");
  CHECK(rejection([](json& j) { j["ports"] = {{{"name", "http"}}}; }) == "ports[0].hostPort: is required");
  CHECK(rejection([](json& j) { j["ports"] = {{{"name", "http"}, {"hostPort", 80}, {"hostIP", "localhost"}}}; }) ==
        "ports[0].hostIP: \"localhost\" is not an IPv4 or IPv6 address");
  CHECK(rejection([](json& j) { j["ports"] = {{{"name", "http"}, {"hostPort", 80}}, {{"name", "http"}, {"hostPort", 81}}}; }) ==
        "ports[1].name: port \"http\" is defined more than once");
  CHECK(rejection([](json& j) { j["userLabels"] = {{"team", 1}}; }) == "userLabels.team: must be a string, not number");
  CHECK(rejection([](json& j) { j["userAnnotations"] = json::array(); }) ==
        "userAnnotations: must be a JSON object, not array");
}

TEST_CASE("rkt's --volume syntax") {
  auto host = Volume::parse_flag("data,kind=host,source=/srv/data,readOnly=true,recursive=false");
  CHECK(host.name == "data");
  CHECK(host.kind == "host");
  CHECK(host.source == "/srv/data");
  CHECK(host.read_only == true);
  CHECK(host.recursive == false);

  auto empty = Volume::parse_flag("cache,kind=empty,mode=0700,uid=1000,gid=100");
  CHECK(empty.kind == "empty");
  CHECK(empty.mode == "0700");
  CHECK(empty.uid == 1000);
  CHECK(empty.gid == 100);
  CHECK(!empty.read_only);

  auto defaults = Volume::parse_flag("scratch,kind=empty");
  CHECK(defaults.mode == "0755");
  CHECK(defaults.uid == 0);
  CHECK(Volume::parse_flag("d,kind=host,source=/d,readOnly=1").read_only == true);
  CHECK(Volume::parse_flag("d,kind=host,source=/d,readOnly=F").read_only == false);

  CHECK(flag_rejection("data") == "--volume \"data\": kind is required (kind=host or kind=empty)");
  CHECK(flag_rejection("data,kind=host") ==
        "--volume \"data,kind=host\": source: is required for a host volume: the directory on the host");
  CHECK(flag_rejection("data,kind=host,source=rel") == "--volume \"data,kind=host,source=rel\": source: \"rel\" must be an absolute path");
  CHECK(flag_rejection("data,kind=host,source=/x,readOnly=yes").find("readOnly must be true or false, not \"yes\"") !=
        std::string::npos);
  CHECK(flag_rejection("data,kind=empty,uid=abc").find("uid must be a number") != std::string::npos);
  CHECK(flag_rejection("data,kind=host,source=/x,size=1").find("unknown key \"size\"") != std::string::npos);
  CHECK(flag_rejection("data,kind=host,kind=empty").find("\"kind\" is given more than once") != std::string::npos);
  CHECK(flag_rejection("data,readOnly").find("is not KEY=VALUE") != std::string::npos);
  CHECK(flag_rejection("Data,kind=empty").find("is not a valid AC Name") != std::string::npos);
  CHECK(flag_rejection(",kind=empty").find("name: must not be empty") != std::string::npos);
  CHECK(flag_rejection("d,kind=empty,mode=999").find("not a permission mode") != std::string::npos);
  try {
    (void)Volume::parse_flag("d,kind=nfs");
    FAIL("accepted");
  } catch (const pod::UsageError& e) {
    CHECK(!e.hint().empty());
  }
}
