#include <doctest/doctest.h>

#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/pods/info.hpp"

using namespace pod;
using namespace pod::pods;

TEST_CASE("pod info of a prepared pod, then of one that ran and exited") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  write_file_atomic(p.file("pod"), R"({"acKind":"PodManifest","acVersion":"0.8.11","apps":[
      {"name":"web","image":{"name":"example.com/web","id":"sha512-)" + std::string(64, 'c') +
                                       R"("}}],"userAnnotations":{"team":"infra"}})");
  p.move_to(DirState::prepared);
  auto info = read_pod_info(p);
  CHECK(info.state == PodState::prepared);
  REQUIRE(info.apps.size() == 1);
  CHECK(info.apps[0].name == "web");
  CHECK(info.created_at.has_value());
  CHECK_FALSE(info.started_at.has_value());
  CHECK(info.user_annotations.get("team") == "infra");

  p.move_to(DirState::run);
  write_file_atomic(p.file("pid"), "4242");
  make_dirs(p.file("overlay/stage1/upper/rkt/status"));
  write_file_atomic(p.file("overlay/stage1/upper/rkt/status/web"), "3");
  write_file_atomic(p.file("net-info.json"), R"([{"netName":"default","ip":"172.16.28.2"}])");
  CHECK(read_pod_info(p).ready());  // running: we hold the lock
  p.unlock();
  info = read_pod_info(p);
  CHECK(info.state == PodState::exited);
  CHECK(info.pid == 4242);
  CHECK(info.apps[0].exit_code == 3);
  CHECK(info.exited_at.has_value());
  CHECK(networks_summary(info.networks) == "default:ip4=172.16.28.2");

  std::string text = status_text(info);
  CHECK(text.find("state=exited\n") == 0);
  CHECK(text.find("exited=true\n") != std::string::npos);
  CHECK(text.find("app-web=3\n") != std::string::npos);
  CHECK(text.find("pid=4242\n") != std::string::npos);  // as rkt, for an exited pod too
  CHECK(text.find("networks=default:ip4=172.16.28.2\n") != std::string::npos);

  auto j = pod_info_json(info);
  CHECK(j["name"] == p.uuid());
  CHECK(j["state"] == "exited");
  CHECK(j["app_names"][0] == "web");
  CHECK(j["apps"][0]["exit_code"] == 3);
  CHECK(j["apps"][0]["state"] == "exited");
  CHECK(j["pid"] == 4242);
  CHECK(j["created_at"] == *info.created_at / 1'000'000'000);  // seconds, as rkt
  CHECK(j["apps"][0]["created_at"] == *info.created_at);       // nanoseconds, as rkt
  CHECK(j["user_annotations"]["team"] == "infra");
  CHECK(j["networks"][0]["ip"] == "172.16.28.2");
}

TEST_CASE("times as listings show them") {
  const int64_t s = 1'000'000'000;
  CHECK(format_time_ago(100 * s, 100 * s) == "just now");
  CHECK(format_time_ago(100 * s, 101 * s) == "1 second ago");
  CHECK(format_time_ago(0, 150 * s) == "2 minutes ago");
  CHECK(format_time_ago(0, 7200 * s) == "2 hours ago");
  CHECK(format_time_ago(0, 3 * 86400 * s) == "3 days ago");
  CHECK(format_time_full(0).find("1970-01-01") != std::string::npos);
  CHECK(format_time_full(1'500 * 1'000'000).find(".500 ") != std::string::npos);
}
