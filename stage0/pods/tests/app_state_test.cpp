#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage0/pods/app_ops.hpp"
#include "stage0/pods/app_state.hpp"

using namespace pod;
using namespace pod::pods;

TEST_CASE("pod init's app state record") {
  auto s = parse_app_state("web", R"({"name":"web","state":"exited","created_at":10,"started_at":20,)"
                                  R"("finished_at":30,"exit_code":3})");
  CHECK(s.name == "web");
  CHECK(s.state == "exited");
  CHECK(s.created_at == 10);
  CHECK(s.started_at == 20);
  CHECK(s.finished_at == 30);
  CHECK(s.exit_code == 3);
  CHECK_FALSE(s.pid.has_value());
  auto j = app_status_json(s);
  CHECK(j["exit_code"] == 3);
  CHECK_FALSE(j.contains("pid"));
  std::string lines = app_status_lines(s);
  CHECK(lines.rfind("name=web\nstate=exited\n", 0) == 0);
  CHECK(lines.find("exit_code=3\n") != std::string::npos);
}

TEST_CASE("a running app has a pid; an unreadable record is unknown") {
  auto s = parse_app_state("a", R"({"state":"running","pid":7,"created_at":1,"started_at":2})");
  CHECK(s.state == "running");
  CHECK(s.pid == 7);
  CHECK_FALSE(s.exit_code.has_value());
  CHECK(parse_app_state("b", "garbage").state == "unknown");
}

TEST_CASE("--mnt-volume is a volume and its mount") {
  auto mv = parse_mnt_volume("name=data,kind=host,source=/srv,target=/data,readOnly=true");
  CHECK(mv.volume.name == "data");
  CHECK(mv.volume.kind == "host");
  CHECK(mv.volume.source == "/srv");
  CHECK(mv.volume.read_only == true);
  CHECK(mv.mount.volume == "data");
  CHECK(mv.mount.path == "/data");
  CHECK_THROWS_AS((void)parse_mnt_volume("kind=host,source=/srv"), UsageError);
}
