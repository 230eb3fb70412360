#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage0/pods/run_args.hpp"

using namespace pod;
using namespace pod::pods;

TEST_CASE("pod flags, one image, app flags and -- arguments") {
  auto s = split_run_args({"--net=host", "--volume", "data,kind=empty", "example.com/app:1.0",
                           "--exec=/bin/sh", "--user", "1000", "--", "-c", "echo hi"});
  CHECK(s.pod_args == std::vector<std::string>{"--net=host", "--volume", "data,kind=empty"});
  REQUIRE(s.apps.size() == 1);
  CHECK(s.apps[0].image == "example.com/app:1.0");
  CHECK(s.apps[0].exec == "/bin/sh");
  CHECK(s.apps[0].user == "1000");
  CHECK(s.apps[0].args == std::vector<std::string>{"-c", "echo hi"});
}

TEST_CASE("--- separates apps; -- arguments end at ---") {
  auto s = split_run_args({"a.aci", "--", "x", "--exec=/not-a-flag", "---", "b.aci", "--name=bee",
                           "---", "c.aci"});
  REQUIRE(s.apps.size() == 3);
  CHECK(s.apps[0].args == std::vector<std::string>{"x", "--exec=/not-a-flag"});
  CHECK_FALSE(s.apps[0].exec.has_value());
  CHECK(s.apps[1].image == "b.aci");
  CHECK(s.apps[1].name == "bee");
  CHECK(s.apps[2].image == "c.aci");
  CHECK(s.apps[2].args.empty());
}

TEST_CASE("app flags before the first image apply to it") {
  auto s = split_run_args({"--exec", "/bin/true", "--debug", "img"});
  REQUIRE(s.apps.size() == 1);
  CHECK(s.apps[0].exec == "/bin/true");
  CHECK(s.pod_args == std::vector<std::string>{"--debug"});
}

TEST_CASE("images without --- are one app each, as rkt") {
  auto s = split_run_args({"a.aci", "--exec=/x", "b.aci", "c.aci", "--", "arg"});
  REQUIRE(s.apps.size() == 3);
  CHECK(s.apps[0].exec == "/x");
  CHECK(!s.apps[1].exec);
  CHECK(s.apps[2].args == std::vector<std::string>{"arg"});
}

TEST_CASE("--set-env and --set-env-file before the images are pod-wide") {
  auto s = split_run_args({"--set-env=A=1", "--set-env-file=/f", "--environment=B=2", "img",
                           "--set-env=C=3"});
  REQUIRE(s.apps.size() == 1);
  CHECK(s.pod_set_env == std::vector<std::pair<std::string, std::string>>{{"A", "1"}});
  CHECK(s.pod_set_env_files == std::vector<std::string>{"/f"});
  CHECK(s.apps[0].set_env ==
        std::vector<std::pair<std::string, std::string>>{{"B", "2"}, {"C", "3"}});
}

TEST_CASE("app flags after --- belong to the next image") {
  auto s = split_run_args({"a.aci", "---", "--exec=/y", "b.aci"});
  REQUIRE(s.apps.size() == 2);
  CHECK(s.apps[1].exec == "/y");
  CHECK_THROWS_AS((void)split_run_args({"a.aci", "---", "--exec=/y"}), UsageError);
}

TEST_CASE("bad run command lines are usage errors") {
  CHECK_THROWS_AS((void)split_run_args({"--", "x"}), UsageError);
  CHECK_THROWS_AS((void)split_run_args({"---", "img"}), UsageError);
  CHECK_THROWS_AS((void)split_run_args({"img", "--exec"}), UsageError);
  CHECK_THROWS_AS((void)split_run_args({"--user=1"}), UsageError);
}

TEST_CASE("every per-app flag is parsed") {
  AppOptions a;
  apply_app_flag(a, "exec", "/bin/app");
  apply_app_flag(a, "name", "web");
  apply_app_flag(a, "user", "user");
  apply_app_flag(a, "group", "1000");
  apply_app_flag(a, "supplementary-gids", "10,20");
  apply_app_flag(a, "working-dir", "/srv");
  apply_app_flag(a, "environment", "A=1");
  apply_app_flag(a, "set-env", "B=x=y");
  apply_app_flag(a, "set-env-file", "/env");
  apply_app_flag(a, "mount", "volume=data,target=/data");
  apply_app_flag(a, "readonly-rootfs", "");
  apply_app_flag(a, "cpu", "500m");
  apply_app_flag(a, "memory", "64M");
  apply_app_flag(a, "cpu-shares", "512");
  apply_app_flag(a, "caps-retain", "CAP_NET_BIND_SERVICE,CAP_CHOWN");
  apply_app_flag(a, "seccomp", "mode=remove,errno=EPERM,reboot");
  apply_app_flag(a, "oom-score-adj", "-100");
  apply_app_flag(a, "annotation", "k=v");
  CHECK(a.exec == "/bin/app");
  CHECK(a.name == "web");
  CHECK(a.group == "1000");
  CHECK(*a.supplementary_gids == std::vector<uint32_t>{10, 20});
  CHECK(a.working_dir == "/srv");
  REQUIRE(a.set_env.size() == 2);
  CHECK(a.set_env[1] == std::pair<std::string, std::string>{"B", "x=y"});
  CHECK(a.set_env_files == std::vector<std::string>{"/env"});
  REQUIRE(a.mounts.size() == 1);
  CHECK(a.mounts[0].volume == "data");
  CHECK(a.mounts[0].path == "/data");
  CHECK(a.readonly_rootfs == true);
  CHECK(a.cpu == "500m");
  CHECK(a.memory == "64M");
  CHECK(a.cpu_shares == 512);
  CHECK(a.caps_retain->size() == 2);
  CHECK(a.seccomp == "mode=remove,errno=EPERM,reboot");
  CHECK(a.oom_score_adj == -100);
  CHECK(a.annotations.at(0).name == "k");
}

TEST_CASE("bad per-app values name the flag") {
  AppOptions a;
  CHECK_THROWS_WITH_AS(apply_app_flag(a, "mount", "target=/x"), doctest::Contains("volume="), UsageError);
  CHECK_THROWS_AS(apply_app_flag(a, "mount", "volume=x,target=rel"), UsageError);
  CHECK_THROWS_AS(apply_app_flag(a, "oom-score-adj", "2000"), UsageError);
  CHECK_THROWS_AS(apply_app_flag(a, "supplementary-gids", "a"), UsageError);
  CHECK_THROWS_AS(apply_app_flag(a, "working-dir", "relative"), UsageError);
  CHECK_THROWS_AS(apply_app_flag(a, "set-env", "NOEQUALS"), UsageError);
  CHECK_THROWS_AS(apply_app_flag(a, "readonly-rootfs", "maybe"), UsageError);
}

TEST_CASE("a --mount before any image applies to every app; an app's own mount of the path wins") {
  auto s = split_run_args({"--mount=volume=data,target=/data", "--mount", "volume=logs,target=/logs", "a.aci",
                           "---", "b.aci", "--mount=volume=other,target=/data"});
  REQUIRE(s.apps.size() == 2);
  REQUIRE(s.apps[0].mounts.size() == 2);
  CHECK(s.apps[0].mounts[0].volume == "data");
  CHECK(s.apps[0].mounts[1].volume == "logs");
  REQUIRE(s.apps[1].mounts.size() == 2);
  CHECK(s.apps[1].mounts[0].volume == "other");  // its own /data
  CHECK(s.apps[1].mounts[1].volume == "logs");
}
