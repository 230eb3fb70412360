#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "mds/crypto.hpp"
#include "mds/pod_state.hpp"
#include "mds/routes.hpp"

using namespace pod::mds;

namespace {

constexpr const char* kUuidA = "11111111-2222-4333-8444-555555555555";
constexpr const char* kUuidB = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

bool always_running(const std::string&) { return true; }
bool never_running(const std::string&) { return false; }
// Pod A lives at 172.16.28.2, pod B at 172.16.28.3 (by the UUID in the directory name).
std::vector<std::string> addresses(const std::string& dir) {
  if (dir.find(kUuidA) != std::string::npos) return {"172.16.28.2"};
  return {"172.16.28.3"};
}

void write_pod(const std::string& data, const std::string& uuid) {
  std::string dir = data + "/pods/run/" + uuid;
  pod::make_dirs(dir + "/appsinfo/web");
  pod::write_file_atomic(dir + "/pod", R"({"acVersion":"0.8.11","acKind":"PodManifest",
    "apps":[{"name":"web","image":{"name":"example.com/web","id":"sha512-0123"},
             "annotations":[{"name":"lorem","value":"pod"},{"name":"extra","value":"1"}]}],
    "annotations":[{"name":"ip-address","value":"10.1.2.3"}]})");
  pod::write_file_atomic(dir + "/appsinfo/web/manifest", R"({"acKind":"ImageManifest","name":"example.com/web",
    "annotations":[{"name":"authors","value":"c"},{"name":"lorem","value":"ipsum"}]})");
}

struct Fixture {
  pod::TempPath data = pod::make_temp_dir("/tmp", "mds-routes-");
  Registry registry;
  PodProbe probe{&always_running, &addresses};
  std::string token_a, token_b;
  Fixture() {
    write_pod(data.path(), kUuidA);
    write_pod(data.path(), kUuidB);
    token_a = registry.add({kUuidA, data.path()}).token;
    token_b = registry.add({kUuidB, data.path()}).token;
  }
  HttpResponse get(const std::string& token, const std::string& what, const std::string& peer = "172.16.28.2") {
    HttpRequest r{"GET", "/" + token + "/acMetadata/v1/" + what, {}, {}};
    return route(r, peer, registry, probe);
  }
  HttpResponse post(const std::string& token, const std::string& what, const std::string& body,
                    const std::string& peer = "172.16.28.2") {
    HttpRequest r{"POST", "/" + token + "/acMetadata/v1/" + what, {}, body};
    return route(r, peer, registry, probe);
  }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "pod endpoints") {
  auto uuid = get(token_a, "pod/uuid");
  CHECK(uuid.status == 200);
  CHECK(uuid.body == kUuidA);
  CHECK(uuid.content_type == "text/plain; charset=us-ascii");
  auto m = get(token_a, "pod/manifest");
  CHECK(m.content_type == "application/json");
  CHECK(nlohmann::json::parse(m.body)["acKind"] == "PodManifest");
  CHECK(nlohmann::json::parse(get(token_a, "pod/annotations").body)[0]["value"] == "10.1.2.3");
  CHECK(get(token_a, "pod/nothing").status == 404);
}

TEST_CASE_FIXTURE(Fixture, "app endpoints: image ID, manifest, annotations merged with the pod's") {
  auto id = get(token_a, "apps/web/image/id");
  CHECK(id.body == "sha512-0123");
  CHECK(nlohmann::json::parse(get(token_a, "apps/web/image/manifest").body)["name"] == "example.com/web");
  auto a = nlohmann::json::parse(get(token_a, "apps/web/annotations").body);
  CHECK(a == nlohmann::json::parse(
                 R"([{"name":"authors","value":"c"},{"name":"lorem","value":"pod"},{"name":"extra","value":"1"}])"));
  CHECK(get(token_a, "apps/nope/image/id").status == 404);
  CHECK(get(token_a, "apps/../../etc/image/manifest").status == 404);
}

TEST_CASE_FIXTURE(Fixture, "a token works only from its own pod's address") {
  CHECK(get(token_a, "pod/uuid", "172.16.28.3").status == 403);
  CHECK(get(token_b, "pod/uuid", "172.16.28.2").status == 403);
  CHECK(get(token_b, "pod/uuid", "172.16.28.3").body == kUuidB);
  CHECK(get("0000", "pod/uuid").status == 401);
  CHECK(get(token_a, "../pod/uuid").status == 404);
}

TEST_CASE_FIXTURE(Fixture, "HMAC: a pod's signature verifies for its UUID only") {
  auto sig = post(token_a, "pod/hmac/sign", "content=Old+MacDonald");
  REQUIRE(sig.status == 200);
  CHECK(sig.body.size() == 88);
  // Any pod may verify another's signature.
  CHECK(post(token_b, "pod/hmac/verify", "content=Old+MacDonald&uuid=" + std::string(kUuidA) + "&signature=" +
                                             pod::mds::base64(""), "172.16.28.3").status == 403);
  std::string encoded;
  for (char c : sig.body) encoded += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
  CHECK(post(token_b, "pod/hmac/verify",
             "content=Old+MacDonald&uuid=" + std::string(kUuidA) + "&signature=" + encoded, "172.16.28.3")
            .status == 200);
  // The same signature claimed for B, or for other content, fails.
  CHECK(post(token_b, "pod/hmac/verify", "content=Old+MacDonald&uuid=" + std::string(kUuidB) + "&signature=" + encoded,
             "172.16.28.3").status == 403);
  CHECK(post(token_a, "pod/hmac/verify", "content=Old+MacDonalds&uuid=" + std::string(kUuidA) + "&signature=" + encoded)
            .status == 403);
  // B's own signature of the same content differs (its own key).
  CHECK(post(token_b, "pod/hmac/sign", "content=Old+MacDonald", "172.16.28.3").body != sig.body);
  CHECK(get(token_a, "pod/hmac/sign").status == 405);
  CHECK(post(token_a, "pod/hmac/sign", "nothing=1").status == 400);
}

TEST_CASE_FIXTURE(Fixture, "a pod found dead is unregistered") {
  probe.running = &never_running;
  CHECK(get(token_a, "pod/uuid").status == 401);
  CHECK(registry.by_uuid(kUuidA) == nullptr);
  CHECK(registry.size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "a pod manifest without annotations gives null, as the manifest has none") {
  std::string dir = data.path() + "/pods/run/" + kUuidA;
  pod::write_file_atomic(dir + "/pod", R"({"acKind":"PodManifest","apps":[]})");
  CHECK(get(token_a, "pod/annotations").body == "null");
}

TEST_CASE("/proc/locks: granted exclusive flocks only") {
  std::string locks =
      "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF\n"
      "1: -> FLOCK  ADVISORY  WRITE 99 fd:01:777 0 EOF\n"
      "2: POSIX  ADVISORY  WRITE 4321 fd:01:888 0 EOF\n"
      "3: FLOCK  ADVISORY  READ 4321 fd:01:999 0 EOF\n";
  CHECK(flock_held(locks, 0xfd, 1, 5678));
  CHECK_FALSE(flock_held(locks, 0xfd, 1, 777));
  CHECK_FALSE(flock_held(locks, 0xfd, 1, 888));
  CHECK_FALSE(flock_held(locks, 0xfd, 1, 999));
  CHECK_FALSE(flock_held(locks, 0xfd, 2, 5678));
}

TEST_CASE("net-info.json addresses") {
  pod::TempPath dir = pod::make_temp_dir("/tmp", "mds-net-");
  CHECK(pod_addresses(dir.path()).empty());
  pod::write_file_atomic(dir.path() + "/net-info.json", R"([{"netName":"default","ip":"172.16.28.9"},{"ip":"10.0.0.2"}])");
  CHECK(pod_addresses(dir.path()) == std::vector<std::string>{"172.16.28.9", "10.0.0.2"});
}
