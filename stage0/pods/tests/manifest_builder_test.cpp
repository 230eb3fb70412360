#include <doctest/doctest.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/pods/manifest_builder.hpp"

using namespace pod;
using namespace pod::pods;

namespace {

const char* kImage = R"({
  "acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/my_app",
  "labels": [{"name": "version", "value": "1.0"}],
  "app": {
    "exec": ["/bin/app", "--serve"], "user": "0", "group": "0",
    "environment": [{"name": "FROM_IMAGE", "value": "i"}, {"name": "OVERRIDDEN", "value": "image"}],
    "ports": [{"name": "http", "protocol": "tcp", "port": 80}],
    "isolators": [{"name": "os/linux/capabilities-remove-set", "value": {"set": ["CAP_NET_RAW"]}}]
  }
})";

ResolvedImage image() {
  return {"sha512-" + std::string(128, 'a'), aci::ImageManifest::parse(kImage)};
}

const aci::Isolator* iso(const aci::RuntimeApp& ra, const std::string& name) {
  return ra.app->find_isolator(name);
}

}  // namespace

TEST_CASE("an image without flags becomes an app with the image's section") {
  auto m = build_pod_manifest({AppOptions{"example.com/my_app"}}, {image()}, {});
  REQUIRE(m.apps.size() == 1);
  const auto& ra = m.apps[0];
  CHECK(ra.name == "my-app");
  CHECK(ra.image.name == "example.com/my_app");
  CHECK(ra.image.id == image().id);
  CHECK(ra.app->exec == std::vector<std::string>{"/bin/app", "--serve"});
  CHECK(ra.app->environment.get("FROM_IMAGE") == "i");
}

TEST_CASE("--exec replaces the command and -- arguments are appended to it (rkt)") {
  AppOptions a{"x"};
  a.args = {"--port", "8080"};
  auto ra = build_runtime_app(a, image(), {}, {});
  CHECK(ra.app->exec == std::vector<std::string>{"/bin/app", "--serve", "--port", "8080"});
  a.exec = "/bin/other";
  ra = build_runtime_app(a, image(), {}, {});
  CHECK(ra.app->exec == std::vector<std::string>{"/bin/other", "--port", "8080"});
}

TEST_CASE("user, group, gids, working dir, environment and annotations") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  write_file_atomic(root.path() + "/env", "# comment\n; also a comment\nFROM_FILE=f\n\nOVERRIDDEN=file\n");
  AppOptions a{"x"};
  a.user = "1000";
  a.group = "2000";
  a.supplementary_gids = std::vector<uint32_t>{3, 4};
  a.working_dir = "/srv";
  a.set_env_files = {root.path() + "/env"};
  a.set_env = {{"OVERRIDDEN", "flag"}, {"EXTRA", "e"}};
  a.annotations = {{"example.com/note", "n"}};
  PodOptions pod;
  pod.inherited_env = {{"HOST_ONLY", "h"}, {"FROM_IMAGE", "host"}};
  auto ra = build_runtime_app(a, image(), pod, {});
  CHECK(ra.app->user == "1000");
  CHECK(ra.app->group == "2000");
  CHECK(ra.app->supplementary_gids == std::vector<uint32_t>{3, 4});
  CHECK(ra.app->working_directory == "/srv");
  const auto& env = ra.app->environment;
  CHECK(env.get("HOST_ONLY") == "h");
  CHECK(env.get("FROM_IMAGE") == "i");  // the image beats --inherit-env
  CHECK(env.get("FROM_FILE") == "f");
  CHECK(env.get("OVERRIDDEN") == "flag");  // --set-env beats the file and the image
  CHECK(env.get("EXTRA") == "e");
  CHECK(ra.annotations.get("example.com/note") == "n");

  // Pod-wide --set-env (given before the images) wins over the app's own flags, as rkt.
  write_file_atomic(root.path() + "/pod-env", "FROM_POD_FILE=p\nEXTRA=pod-file\n");
  pod.set_env_files = {root.path() + "/pod-env"};
  pod.set_env = {{"OVERRIDDEN", "pod"}};
  ra = build_runtime_app(a, image(), pod, {});
  CHECK(ra.app->environment.get("OVERRIDDEN") == "pod");
  CHECK(ra.app->environment.get("EXTRA") == "pod-file");
  CHECK(ra.app->environment.get("FROM_POD_FILE") == "p");
}

TEST_CASE("resource, capability, seccomp and oom isolators") {
  AppOptions a{"x"};
  a.cpu = "500m";
  a.memory = "64M";
  a.cpu_shares = 512;
  a.caps_retain = std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
  a.seccomp = "mode=retain,errno=EPERM,read,write,exit_group";
  a.oom_score_adj = 100;
  auto ra = build_runtime_app(a, image(), {}, {});
  REQUIRE(iso(ra, "resource/cpu"));
  CHECK(iso(ra, "resource/cpu")->value["limit"] == "500m");
  CHECK(iso(ra, "resource/memory")->value["request"] == "64M");
  CHECK(iso(ra, "os/linux/cpu-shares")->value == 512);
  CHECK(iso(ra, "os/linux/capabilities-retain-set")->value["set"][0] == "CAP_NET_BIND_SERVICE");
  CHECK(iso(ra, "os/linux/capabilities-remove-set") == nullptr);  // retain replaces remove
  CHECK(iso(ra, "os/linux/seccomp-retain-set")->value["errno"] == "EPERM");
  CHECK(iso(ra, "os/linux/seccomp-retain-set")->value["set"].size() == 3);
  CHECK(iso(ra, "os/linux/oom-score-adj")->value == 100);
}

TEST_CASE("bad isolator flags are usage errors naming the flag") {
  AppOptions a{"x"};
  a.seccomp = "read,write";
  CHECK_THROWS_WITH_AS((void)build_runtime_app(a, image(), {}, {}), doctest::Contains("mode="), UsageError);
  a.seccomp.reset();
  a.caps_retain = std::vector<std::string>{"CAP_NOT_A_THING"};
  CHECK_THROWS_AS((void)build_runtime_app(a, image(), {}, {}), UsageError);
  a.caps_retain.reset();
  a.memory = "lots";
  CHECK_THROWS_AS((void)build_runtime_app(a, image(), {}, {}), UsageError);
}

TEST_CASE("mounts need a pod volume; volumes, ports and pod annotations go in the manifest") {
  AppOptions a{"x"};
  a.mounts = {aci::Mount{"data", "/var/data", std::nullopt}};
  CHECK_THROWS_WITH_AS((void)build_pod_manifest({a}, {image()}, {}),
                       doctest::Contains("no volume named \"data\""), UsageError);
  PodOptions pod;
  pod.volumes = {aci::Volume::parse_flag("data,kind=host,source=/tmp,readOnly=true")};
  pod.ports = {parse_port_flag("http:127.0.0.1:8080")};
  pod.user_annotations.set("team", "infra");
  pod.user_labels.set("tier", "web");
  auto m = build_pod_manifest({a}, {image()}, pod);
  REQUIRE(m.volumes.size() == 1);
  CHECK(m.volumes[0].source == "/tmp");
  REQUIRE(m.apps[0].mounts.size() == 1);
  CHECK(m.apps[0].mounts[0].path == "/var/data");
  REQUIRE(m.ports.size() == 1);
  CHECK(m.ports[0].host_port == 8080);
  CHECK(m.ports[0].host_ip == "127.0.0.1");
  CHECK(m.user_annotations.get("team") == "infra");
  CHECK(m.user_labels.get("tier") == "web");
  pod.ports = {parse_port_flag("nope:80")};
  CHECK_THROWS_AS((void)build_pod_manifest({a}, {image()}, pod), UsageError);
  CHECK_THROWS_AS((void)parse_port_flag("http:99999"), UsageError);
  CHECK_THROWS_AS((void)parse_port_flag("http"), UsageError);
}

TEST_CASE("app names: from the image, made unique, or --name") {
  auto img = image();
  CHECK(choose_app_name(AppOptions{"x"}, img.manifest, {}) == "my-app");
  CHECK(choose_app_name(AppOptions{"x"}, img.manifest, {"my-app"}) == "my-app-2");
  AppOptions named{"x"};
  named.name = "web";
  CHECK(choose_app_name(named, img.manifest, {"my-app"}) == "web");
  CHECK_THROWS_AS((void)choose_app_name(named, img.manifest, {"web"}), UsageError);
  named.name = "Bad_Name";
  CHECK_THROWS_AS((void)choose_app_name(named, img.manifest, {}), UsageError);
  auto m = build_pod_manifest({AppOptions{"a"}, AppOptions{"b"}}, {img, img}, {});
  CHECK(m.apps[0].name == "my-app");
  CHECK(m.apps[1].name == "my-app-2");
}

TEST_CASE("an image without an app needs --exec") {
  ResolvedImage bare{"sha512-" + std::string(128, 'b'),
                     aci::ImageManifest::parse(
                         R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bare"})")};
  CHECK_THROWS_WITH_AS((void)build_runtime_app(AppOptions{"x"}, bare, {}, {}),
                       doctest::Contains("example.com/bare"), Error);
  AppOptions a{"x"};
  a.exec = "/bin/true";
  auto ra = build_runtime_app(a, bare, {}, {});
  CHECK(ra.app->exec == std::vector<std::string>{"/bin/true"});
  CHECK(ra.app->user == "0");
}
