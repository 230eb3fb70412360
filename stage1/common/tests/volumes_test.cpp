#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/volumes.hpp"

using namespace pod;
using namespace pod::stage1;

namespace {
aci::PodManifest pod_with(const char* volumes_json, const char* mounts_json = "[]") {
  auto text = std::string(R"({"acKind":"PodManifest","acVersion":"0.8.11","apps":[{"name":"web",
      "image":{"name":"pod.dev/inspect","id":"sha512-)") + std::string(64, '0') +
              R"("},"mounts":)" + mounts_json + R"(}],"volumes":)" + volumes_json + "}";
  return aci::PodManifest::parse(text);
}
aci::App app_with(const char* mount_points_json) {
  nlohmann::json j = {{"exec", {"/inspect"}}, {"user", "0"}, {"group", "0"}};
  j["mountPoints"] = nlohmann::json::parse(mount_points_json);
  return aci::App::from_json(j, "app");
}
std::string error_of(const aci::PodManifest& pod, const aci::App& app) {
  try {
    (void)plan_volume_mounts(pod, pod.apps[0], app, "web");
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  return "";
}
}  // namespace

TEST_CASE("mount points take the pod volume of their name") {
  auto pod = pod_with(R"([{"name":"data","kind":"host","source":"/srv","readOnly":true},
                          {"name":"cache","kind":"empty","recursive":false}])");
  auto plan = plan_volume_mounts(pod, pod.apps[0],
                                 app_with(R"([{"name":"data","path":"/var/data/"},
                                              {"name":"cache","path":"/cache","readOnly":true}])"),
                                 "web");
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].target == "/var/data");
  CHECK(plan[0].volume.source == "/srv");
  CHECK(plan[0].read_only);
  CHECK(plan[0].recursive);
  CHECK(plan[1].target == "/cache");
  CHECK(plan[1].read_only);  // the mount point asks for it
  CHECK_FALSE(plan[1].recursive);
}

TEST_CASE("the runtime app's mounts come first and cover their mount point") {
  auto pod = pod_with(R"([{"name":"v","kind":"host","source":"/x"}])", R"([{"volume":"v","path":"/data"}])");
  auto plan = plan_volume_mounts(pod, pod.apps[0], app_with(R"([{"name":"data","path":"/data","readOnly":true}])"),
                                 "web");
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].volume.name == "v");
  CHECK(plan[0].read_only);
}

TEST_CASE("a mount point without a volume names both") {
  auto what = error_of(pod_with("[]"), app_with(R"([{"name":"data","path":"/data"}])"));
  CHECK(what.find("mount point data") != std::string::npos);
  CHECK(what.find("web") != std::string::npos);
  CHECK(what.find("--volume data") != std::string::npos);
}

TEST_CASE("a mount of a missing volume and nested targets are errors") {
  // The manifest parser rejects such a pod already; stage1 must not rely on that.
  auto pod = pod_with(R"([{"name":"nope","kind":"empty"}])", R"([{"volume":"nope","path":"/data"}])");
  pod.volumes.clear();
  auto missing = error_of(pod, app_with("[]"));
  CHECK(missing.find("nope") != std::string::npos);
  auto nested = error_of(pod_with(R"([{"name":"a","kind":"empty"},{"name":"b","kind":"empty"}])"),
                         app_with(R"([{"name":"a","path":"/data"},{"name":"b","path":"/data/sub"}])"));
  CHECK(nested.find("overlap") != std::string::npos);
}
