#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage2/effective_app.hpp"

using namespace pod;
using namespace pod::stage2;

namespace {
aci::ImageManifest image() {
  return aci::ImageManifest::parse(R"({
    "acKind": "ImageManifest", "acVersion": "0.8.11", "name": "pod.dev/inspect",
    "app": {"exec": ["/inspect", "--print-env"], "user": "0", "group": "0",
            "workingDirectory": "/srv",
            "environment": [{"name": "A", "value": "image"}, {"name": "B", "value": "image"}],
            "isolators": [
              {"name": "os/linux/capabilities-remove-set", "value": {"set": ["CAP_MKNOD"]}},
              {"name": "os/linux/no-new-privileges", "value": true}],
            "mountPoints": [{"name": "data", "path": "/data"}]}
  })");
}
aci::RuntimeApp runtime(const char* app_json) {
  aci::RuntimeApp rt;
  rt.name = "inspect";
  if (app_json) rt.app = aci::App::from_json(nlohmann::json::parse(app_json), "app");
  return rt;
}
}  // namespace

TEST_CASE("without a runtime app the image's app runs") {
  auto rt = runtime(nullptr);
  auto app = effective_app(image(), &rt, "inspect");
  CHECK(app.exec == std::vector<std::string>{"/inspect", "--print-env"});
  CHECK(app.working_directory == "/srv");
}

TEST_CASE("the runtime app overrides field by field") {
  auto rt = runtime(R"({"exec": ["/inspect", "--print-user"], "user": "user", "group": "group",
                        "environment": [{"name": "B", "value": "pod"}],
                        "isolators": [{"name": "os/linux/capabilities-retain-set",
                                       "value": {"set": ["CAP_NET_RAW"]}}]})");
  auto app = effective_app(image(), &rt, "inspect");
  CHECK(app.exec == std::vector<std::string>{"/inspect", "--print-user"});
  CHECK(app.user == "user");
  CHECK(app.group == "group");
  CHECK(app.working_directory == "/srv");  // not given: the image's
  CHECK(app.environment.get("A") == "image");
  CHECK(app.environment.get("B") == "pod");
  CHECK(app.mount_points.size() == 1);
  // the runtime retain set replaces the image's remove set; other isolators stay
  CHECK(app.find_isolator("os/linux/capabilities-retain-set"));
  CHECK_FALSE(app.find_isolator("os/linux/capabilities-remove-set"));
  CHECK(app.find_isolator("os/linux/no-new-privileges"));
}

TEST_CASE("an image without an app needs one from the pod manifest") {
  auto img = aci::ImageManifest::parse(
      R"({"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "pod.dev/base"})");
  auto none = runtime(nullptr);
  CHECK_THROWS_AS((void)effective_app(img, &none, "base"), Error);
  auto rt = runtime(R"({"exec": ["/bin/sh"], "user": "0", "group": "0"})");
  CHECK(effective_app(img, &rt, "base").exec == std::vector<std::string>{"/bin/sh"});
}

TEST_CASE("isolator kinds") {
  CHECK(isolator_kind("os/linux/seccomp-retain-set") == isolator_kind("os/linux/seccomp-remove-set"));
  CHECK(isolator_kind("resource/memory") == "resource/memory");
}
