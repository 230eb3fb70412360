// The image manifest: the spec's example, every validation rule (accepted and rejected,
// with the field named), and lossless round trips.
#include <doctest/doctest.h>

#include "aci/manifest.hpp"
#include "aci/tests/manifest_checks.hpp"
#include "aci/validation_error.hpp"

using namespace pod::aci;
using namespace pod::aci::testing;
using nlohmann::json;

namespace {

const std::string kHash = "sha512-" + std::string(128, 'c');

json minimal_manifest() {
  return {{"acKind", "ImageManifest"},
          {"acVersion", "0.8.11"},
          {"name", "example.com/app"},
          {"app", {{"exec", {"/bin/app"}}, {"user", "0"}, {"group", "0"}}}};
}

// "field: rule" of the ValidationError thrown when the minimal manifest, changed by `edit`, is parsed.
std::string rejection(const JsonEdit& edit) {
  return rejection_of<ImageManifest>(minimal_manifest(), edit);
}

void accepts(const JsonEdit& edit) { check_accepted<ImageManifest>(minimal_manifest(), edit); }

}  // namespace

TEST_CASE("the spec's example image manifest") {
  auto m = ImageManifest::parse(read_manifest_seed("image-spec-example.json"));
  CHECK(m.ac_version == "0.8.11");
  CHECK(m.name == "example.com/reduce-worker");
  CHECK(m.labels.get("version") == "1.0.0");
  CHECK(m.labels.get("os") == "linux");
  REQUIRE(m.app);
  const App& app = *m.app;
  CHECK(app.exec == std::vector<std::string>{"/usr/bin/reduce-worker", "--quiet"});
  CHECK(app.user == "100");
  CHECK(app.group == "300");
  CHECK(app.supplementary_gids == std::vector<uint32_t>{400, 500});
  REQUIRE(app.event_handlers.size() == 2);
  CHECK(app.event_handlers[0].name == "pre-start");
  CHECK(app.event_handlers[1].exec == std::vector<std::string>{"/usr/bin/deregister-worker", "--verbose"});
  CHECK(app.working_directory == "/opt/work");
  CHECK(app.environment.get("REDUCE_WORKER_DEBUG") == "true");
  REQUIRE(app.isolators.size() == 3);
  REQUIRE(app.find_isolator("resource/memory"));
  CHECK(std::get<ResourceIsolator>(app.find_isolator("resource/memory")->parsed).limit->value() == 2000000000);
  CHECK(!app.find_isolator("resource/block-iops"));
  REQUIRE(app.mount_points.size() == 1);
  CHECK(app.mount_points[0].name == "work");
  CHECK(app.mount_points[0].path == "/var/lib/work");
  CHECK(!app.mount_points[0].read_only);
  REQUIRE(app.ports.size() == 2);
  CHECK(app.ports[0].socket_activated);
  CHECK(app.ports[0].count == 1);
  CHECK(app.ports[1].port == 20000);
  CHECK(app.ports[1].count == 1000);
  CHECK(app.ports[1].protocol == "tcp");
  REQUIRE(m.dependencies.size() == 1);
  CHECK(m.dependencies[0].image_name == "example.com/reduce-worker-base");
  CHECK(m.dependencies[0].image_id->starts_with("sha512-"));
  CHECK(m.dependencies[0].labels.get("env") == "canary");
  CHECK(m.dependencies[0].size == 22017258u);
  CHECK(m.path_whitelist.size() == 5);
  CHECK(m.annotations.get("homepage") == "https://example.com");
}

TEST_CASE("image manifests round trip without loss") {
  for (const char* seed : {"image-spec-example.json", "image-rkt-isolators.json"}) {
    CAPTURE(seed);
    const std::string text = read_manifest_seed(seed);
    auto first = ImageManifest::parse(text);
    auto second = ImageManifest::parse(first.serialize());
    CHECK(first.to_json() == second.to_json());
    CHECK(second.serialize() == first.serialize());
    // Serialising writes back what was read, except defaults the spec lets us omit.
    json original = json::parse(text);
    if (seed == std::string("image-spec-example.json"))
      original["app"]["mountPoints"][0].erase("readOnly");  // false is the default
    CHECK(first.to_json() == original);
  }
}

TEST_CASE("unknown fields are kept everywhere") {
  json j = minimal_manifest();
  j["x-top"] = {{"a", 1}};
  j["app"]["x-app"] = "kept";
  j["app"]["eventHandlers"] = {{{"name", "pre-start"}, {"exec", {"/bin/x"}}, {"x-h", true}}};
  j["app"]["mountPoints"] = {{{"name", "data"}, {"path", "/data"}, {"x-m", 1}}};
  j["app"]["ports"] = {{{"name", "http"}, {"protocol", "tcp"}, {"port", 80}, {"x-p", 2}}};
  j["app"]["isolators"] = {{{"name", "example.com/vendor"}, {"value", {{"deep", {1, 2}}}}}};
  j["dependencies"] = {{{"imageName", "example.com/base"}, {"x-d", "y"}}};
  j["annotations"] = {{{"name", "example.com/unknown-annotation"}, {"value", "v"}}};
  auto m = ImageManifest::parse(j.dump());
  CHECK(m.extra == json{{"x-top", {{"a", 1}}}});
  CHECK(m.to_json() == j);
  CHECK(ImageManifest::parse(m.serialize()).to_json() == j);
}

TEST_CASE("serialisation starts with acKind and acVersion and omits empty optional fields") {
  ImageManifest m;
  m.name = "example.com/bare";
  const std::string text = m.serialize();
  CHECK(text.find("\"acKind\"") < text.find("\"acVersion\""));
  CHECK(text.find("\"acVersion\"") < text.find("\"name\""));
  CHECK(json::parse(text) == json{{"acKind", "ImageManifest"}, {"acVersion", "0.8.11"}, {"name", "example.com/bare"}});
  m.app = App{};
  m.app->user = "0";
  m.app->group = "0";
  CHECK(m.to_json()["app"] == json{{"user", "0"}, {"group", "0"}});
}

TEST_CASE("strings that are not UTF-8 are refused, when reading and when writing") {
  CHECK_THROWS_WITH_AS((void)ImageManifest::parse("{\"acKind\": \"Image\xffManifest\"}"),
                       doctest::Contains("malformed JSON"), ValidationError);
  ImageManifest m;
  m.name = "example.com/app";
  m.annotations.set("note", "\xff\xfe");
  CHECK_THROWS_WITH_AS((void)m.serialize(), doctest::Contains("cannot be written as JSON"), ValidationError);
}

TEST_CASE("malformed JSON names the parser's position") {
  try {
    (void)ImageManifest::parse("{\n  \"acKind\": \"ImageManifest\",\n  \"name\": }");
    FAIL("accepted");
  } catch (const ValidationError& e) {
    CHECK(e.field().empty());
    // Our words, not the library's: where, and what was expected.
    const std::string what = e.what();
    CHECK(what.starts_with("malformed JSON at line 3, column 11: expected "));
    CHECK(what.find("in a value") != std::string::npos);
    CHECK(what.find("json.exception") == std::string::npos);
    CHECK(what.find("syntax error while parsing") == std::string::npos);
  }
  CHECK_THROWS_WITH_AS((void)ImageManifest::parse(""), doctest::Contains("malformed JSON at line 1, column 1"),
                       ValidationError);
  CHECK_THROWS_WITH_AS((void)ImageManifest::parse("{\"a\" 1}"),
                       doctest::Contains("line 1, column 6: expected ':'"), ValidationError);
  CHECK_THROWS_WITH_AS((void)ImageManifest::parse("{\"a\": 1e999}"), doctest::Contains("malformed JSON"),
                       ValidationError);
  CHECK_THROWS_WITH_AS((void)ImageManifest::parse("[]"), "must be a JSON object, not array", ValidationError);
}

TEST_CASE("top-level fields") {
  CHECK(rejection([](json& j) { j["acKind"] = "PodManifest"; }) ==
        "acKind: must be \"ImageManifest\", not \"PodManifest\"");
  CHECK(rejection([](json& j) { j.erase("acKind"); }) == "acKind: is required");
  CHECK(rejection([](json& j) { j["acVersion"] = "0.8"; }) ==
        "acVersion: \"0.8\" is not a semantic version such as 0.8.11");
  CHECK(rejection([](json& j) { j.erase("acVersion"); }) == "acVersion: is required");
  accepts([](json& j) { j["acVersion"] = "0.7.4"; });
  accepts([](json& j) { j["acVersion"] = "1.0.0-rc.1+build.5"; });
  CHECK(rejection([](json& j) { j.erase("name"); }) == "name: is required");
  CHECK(rejection([](json& j) { j["name"] = "Example.com/App"; }).starts_with(
        "name: \"Example.com/App\" is not a valid AC Identifier"));
  CHECK(rejection([](json& j) { j["name"] = 5; }) == "name: must be a string, not number");
  accepts([](json& j) { j.erase("app"); });  // a dependency-only image
  accepts([](json& j) { j["app"] = nullptr; });
}

TEST_CASE("labels in the manifest") {
  accepts([](json& j) { j["labels"] = {{{"name", "os"}, {"value", "linux"}}, {{"name", "arch"}, {"value", "amd64"}}}; });
  CHECK(rejection([](json& j) { j["labels"] = {{{"name", "os"}, {"value", "linux"}}, {{"name", "os"}, {"value", "linux"}}}; }) ==
        "labels[1].name: \"os\" appears more than once");
  CHECK(rejection([](json& j) { j["labels"] = {{{"name", "os"}, {"value", "linux"}}, {{"name", "arch"}, {"value", "x86_64"}}}; })
            .starts_with("labels: arch \"x86_64\" is not valid for os \"linux\""));
  CHECK(rejection([](json& j) { j["labels"] = {{{"name", "name"}, {"value", "x"}}}; })
            .starts_with("labels[0].name: \"name\" cannot be a label"));
  CHECK(rejection([](json& j) { j["labels"] = {{{"value", "x"}}}; }) == "labels[0].name: is required");
  CHECK(rejection([](json& j) { j["labels"] = {{{"name", "a"}, {"value", 1}}}; }) ==
        "labels[0].value: must be a string, not number");
  CHECK(rejection([](json& j) { j["labels"] = {{"name", "a"}}; }) == "labels: must be a JSON list, not object");
}

TEST_CASE("app: exec, user, group, gids, working directory") {
  CHECK(rejection([](json& j) { j["app"]["exec"] = {"bin/app"}; }) ==
        "app.exec[0]: \"bin/app\" must be an absolute path in the image");
  CHECK(rejection([](json& j) { j["app"]["exec"] = json::array(); }) ==
        "app.exec: must not be empty: give the program to run first");
  CHECK(rejection([](json& j) { j["app"]["exec"] = "/bin/app"; }) == "app.exec: must be a JSON list, not string");
  CHECK(rejection([](json& j) { j["app"]["exec"] = {"/bin/app", 1}; }) == "app.exec[1]: must be a string, not number");
  accepts([](json& j) { j["app"].erase("exec"); });  // rkt runs such images with --exec
  CHECK(rejection([](json& j) { j["app"].erase("user"); }) == "app.user: is required");
  CHECK(rejection([](json& j) { j["app"].erase("group"); }) == "app.group: is required");
  CHECK(rejection([](json& j) { j["app"]["user"] = ""; }) == "app.user: must not be empty (a user name or a UID)");
  accepts([](json& j) { j["app"]["user"] = "/usr/bin/ping"; j["app"]["group"] = "wheel"; });
  accepts([](json& j) { j["app"]["supplementaryGIDs"] = {0, 4294967295u}; });
  CHECK(rejection([](json& j) { j["app"]["supplementaryGIDs"] = {1, -1}; }) ==
        "app.supplementaryGIDs[1]: -1 is out of range (0..4294967295)");
  CHECK(rejection([](json& j) { j["app"]["supplementaryGIDs"] = {"10"}; }) ==
        "app.supplementaryGIDs[0]: must be an integer, not string");
  accepts([](json& j) { j["app"]["workingDirectory"] = "/opt/work"; });
  CHECK(rejection([](json& j) { j["app"]["workingDirectory"] = "opt/work"; }) ==
        "app.workingDirectory: \"opt/work\" must be an absolute path");
}

TEST_CASE("app: event handlers") {
  accepts([](json& j) {
    j["app"]["eventHandlers"] = {{{"name", "pre-start"}, {"exec", {"/bin/a"}}}, {{"name", "post-stop"}, {"exec", {"/bin/b"}}}};
  });
  CHECK(rejection([](json& j) {
          j["app"]["eventHandlers"] = {{{"name", "pre-start"}, {"exec", {"/bin/a"}}}, {{"name", "pre-start"}, {"exec", {"/bin/b"}}}};
        }) == "app.eventHandlers[1].name: event handler \"pre-start\" is defined more than once");
  CHECK(rejection([](json& j) { j["app"]["eventHandlers"] = {{{"name", "on-crash"}, {"exec", {"/bin/a"}}}}; }) ==
        "app.eventHandlers[0].name: \"on-crash\" is not an event: use pre-start or post-stop");
  CHECK(rejection([](json& j) { j["app"]["eventHandlers"] = {{{"name", "pre-start"}}}; }) ==
        "app.eventHandlers[0].exec: is required");
  CHECK(rejection([](json& j) { j["app"]["eventHandlers"] = {{{"name", "pre-start"}, {"exec", json::array()}}}; }) ==
        "app.eventHandlers[0].exec: must not be empty");
}

TEST_CASE("app: environment") {
  accepts([](json& j) { j["app"]["environment"] = {{{"name", "PATH"}, {"value", "/bin"}}, {{"name", "_x1"}, {"value", ""}}}; });
  CHECK(rejection([](json& j) { j["app"]["environment"] = {{{"name", "MY-VAR"}, {"value", "1"}}}; })
            .starts_with("app.environment[0].name: \"MY-VAR\" is not a valid variable name"));
  CHECK(rejection([](json& j) { j["app"]["environment"] = {{{"name", "1X"}, {"value", "1"}}}; })
            .starts_with("app.environment[0].name: \"1X\" is not a valid variable name"));
  CHECK(rejection([](json& j) {
          j["app"]["environment"] = {{{"name", "A"}, {"value", "1"}}, {{"name", "A"}, {"value", "2"}}};
        }) == "app.environment[1].name: \"A\" appears more than once");
}

TEST_CASE("app: isolators are validated with their JSON path") {
  CHECK(rejection([](json& j) {
          j["app"]["isolators"] = {{{"name", "resource/cpu"}, {"value", {{"limit", "1"}}}},
                                   {{"name", "resource/memory"}, {"value", {{"limit", "lots"}}}}};
        }).starts_with("app.isolators[1].value.limit: \"lots\" is not a valid quantity"));
  CHECK(rejection([](json& j) {
          j["app"]["isolators"] = {{{"name", "os/linux/seccomp-retain-set"}, {"value", {{"set", {"read"}}}}},
                                   {{"name", "os/linux/seccomp-remove-set"}, {"value", {{"set", {"reboot"}}}}}};
        }).find("cannot be used together") != std::string::npos);
}

TEST_CASE("app: mount points") {
  accepts([](json& j) { j["app"]["mountPoints"] = {{{"name", "data"}, {"path", "/data"}, {"readOnly", true}}}; });
  CHECK(rejection([](json& j) { j["app"]["mountPoints"] = {{{"name", "Data"}, {"path", "/data"}}}; })
            .starts_with("app.mountPoints[0].name: \"Data\" is not a valid AC Name"));
  CHECK(rejection([](json& j) { j["app"]["mountPoints"] = {{{"name", "data"}, {"path", "data"}}}; }) ==
        "app.mountPoints[0].path: \"data\" must be an absolute path");
  CHECK(rejection([](json& j) { j["app"]["mountPoints"] = {{{"name", "data"}}}; }) == "app.mountPoints[0].path: is required");
  CHECK(rejection([](json& j) {
          j["app"]["mountPoints"] = {{{"name", "data"}, {"path", "/a"}}, {{"name", "data"}, {"path", "/b"}}};
        }) == "app.mountPoints[1].name: mount point \"data\" is defined more than once");
  CHECK(rejection([](json& j) { j["app"]["mountPoints"] = {{{"name", "d"}, {"path", "/d"}, {"readOnly", "yes"}}}; }) ==
        "app.mountPoints[0].readOnly: must be true or false, not string");
}

TEST_CASE("app: ports") {
  auto port = [](json fields) {
    json p = {{"name", "http"}, {"protocol", "tcp"}, {"port", 80}};
    if (!fields.is_null()) p.update(fields);
    return p;
  };
  accepts([&](json& j) { j["app"]["ports"] = json::array({port({}), port({{"name", "dns"}, {"protocol", "udp"}, {"port", 53}})}); });
  accepts([&](json& j) { j["app"]["ports"] = json::array({port({{"port", 65535}})}); });
  accepts([&](json& j) { j["app"]["ports"] = json::array({port({{"port", 20000}, {"count", 1000}, {"socketActivated", true}})}); });
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"port", 0}})}); }) ==
        "app.ports[0].port: 0 is out of range (1..65535)");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"port", 65536}})}); }) ==
        "app.ports[0].port: 65536 is out of range (1..65535)");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"port", "80"}})}); }) ==
        "app.ports[0].port: must be an integer, not string");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"count", 0}})}); }) ==
        "app.ports[0].count: 0 is out of range (1..65535)");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"port", 65000}, {"count", 1000}})}); }) ==
        "app.ports[0].count: the range 65000..65999 goes past port 65535");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"protocol", ""}})}); }) ==
        "app.ports[0].protocol: must not be empty (tcp or udp)");
  CHECK(rejection([&](json& j) {
          json p = port({});
          p.erase("protocol");
          j["app"]["ports"] = json::array({p});
        }) == "app.ports[0].protocol: is required");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"name", "HTTP"}})}); })
            .starts_with("app.ports[0].name: \"HTTP\" is not a valid AC Name"));
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({}), port({{"port", 81}})}); }) ==
        "app.ports[1].name: port \"http\" is defined more than once");
  CHECK(rejection([&](json& j) { j["app"]["ports"] = json::array({port({{"socketActivated", 1}})}); }) ==
        "app.ports[0].socketActivated: must be true or false, not number");
}

TEST_CASE("dependencies") {
  const std::string hash = kHash;
  accepts([&](json& j) {
    j["dependencies"] = {{{"imageName", "example.com/base"}, {"imageID", hash}, {"size", 10},
                          {"labels", {{{"name", "os"}, {"value", "linux"}}}}}};
  });
  CHECK(rejection([](json& j) { j["dependencies"] = {{{"imageID", "sha512-00"}}}; }) ==
        "dependencies[0].imageName: is required");
  CHECK(rejection([](json& j) { j["dependencies"] = {{{"imageName", "Base"}}}; })
            .starts_with("dependencies[0].imageName: \"Base\" is not a valid AC Identifier"));
  CHECK(rejection([](json& j) { j["dependencies"] = {{{"imageName", "b"}, {"imageID", "sha512-..."}}}; })
            .starts_with("dependencies[0].imageID: \"sha512-...\" is not a valid image ID"));
  CHECK(rejection([](json& j) { j["dependencies"] = {{{"imageName", "b"}, {"size", -1}}}; }) ==
        "dependencies[0].size: must not be negative");
  CHECK(rejection([](json& j) { j["dependencies"] = {{{"imageName", "b"}, {"size", 1.5}}}; }) ==
        "dependencies[0].size: must be a non-negative integer, not a fractional number");
  CHECK(rejection([](json& j) {
          j["dependencies"] = {{{"imageName", "b"}, {"labels", {{{"name", "os"}, {"value", "beos"}}}}}};
        }).starts_with("dependencies[0].labels: os \"beos\" is not supported"));
}

TEST_CASE("path whitelist and annotations") {
  accepts([](json& j) { j["pathWhitelist"] = {"/etc/passwd", "/bin/"}; });
  accepts([](json& j) { j["pathWhitelist"] = json::array(); });
  CHECK(rejection([](json& j) { j["pathWhitelist"] = {"/etc", "bin"}; }) ==
        "pathWhitelist[1]: \"bin\" must be an absolute path");
  CHECK(rejection([](json& j) { j["pathWhitelist"] = {""}; }) == "pathWhitelist[0]: \"\" must be an absolute path");
  accepts([](json& j) { j["annotations"] = {{{"name", "coreos.com/rkt/stage1/run"}, {"value", "/init"}}}; });
  CHECK(rejection([](json& j) { j["annotations"] = {{{"name", "Created"}, {"value", "x"}}}; })
            .starts_with("annotations[0].name: \"Created\" is not a valid AC Identifier"));
  CHECK(rejection([](json& j) {
          j["annotations"] = {{{"name", "a"}, {"value", "1"}}, {{"name", "a"}, {"value", "2"}}};
        }) == "annotations[1].name: \"a\" appears more than once");
}
