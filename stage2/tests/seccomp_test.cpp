#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>

#include "common/error.hpp"
#include "stage2/seccomp.hpp"
#include "stage2/seccomp_groups.hpp"
#include "stage2/tests/app_with_isolators.hpp"

using namespace pod;
using namespace pod::stage2;
using namespace pod::stage2::testing;

namespace {
bool has(const SeccompPlan& p, const char* name) {
  return std::binary_search(p.syscalls.begin(), p.syscalls.end(), name);
}
}  // namespace

TEST_CASE("no isolator: the default allow list, failing with EPERM") {
  auto plan = plan_seccomp(app_with_isolators("[]"), "a", false);
  CHECK(plan.mode == SeccompMode::allow_list);
  CHECK(plan.is_default);
  CHECK(plan.errno_value == EPERM);
  CHECK(has(plan, "read"));
  CHECK(has(plan, "execve"));
  CHECK(has(plan, "clone3"));
  CHECK_FALSE(has(plan, "mount"));
  CHECK_FALSE(has(plan, "reboot"));
  CHECK(std::is_sorted(plan.syscalls.begin(), plan.syscalls.end()));
}

TEST_CASE("--disable-seccomp turns filtering off") {
  CHECK(plan_seccomp(app_with_isolators("[]"), "a", true).mode == SeccompMode::disabled);
}

TEST_CASE("a remove set with a group and a name, killing by default") {
  auto plan = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-remove-set","value":{"set":["@rkt/default-blacklist","socket"]}}])"),
      "a", false);
  CHECK(plan.mode == SeccompMode::deny_list);
  CHECK_FALSE(plan.errno_value);
  CHECK(has(plan, "socket"));
  CHECK(has(plan, "mount"));
  CHECK(has(plan, "reboot"));
  CHECK_FALSE(has(plan, "read"));
}

TEST_CASE("a retain set with an errno") {
  auto plan = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-retain-set","value":{"set":["@docker/default-whitelist","umount2"],"errno":"ENOSYS"}}])"),
      "a", false);
  CHECK(plan.mode == SeccompMode::allow_list);
  CHECK(plan.errno_value == ENOSYS);
  CHECK(has(plan, "umount2"));
  CHECK(has(plan, "write"));
}

TEST_CASE("the appc wildcards opt out of and into filtering") {
  auto all = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-retain-set","value":{"set":["@appc.io/all"]}}])"), "a",
      false);
  CHECK(all.mode == SeccompMode::disabled);
  auto empty = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-remove-set","value":{"set":["@appc.io/empty"]}}])"), "a",
      false);
  CHECK(empty.is_default);
}

TEST_CASE("an unknown group is an error naming it") {
  try {
    (void)plan_seccomp(
        app_with_isolators(R"([{"name":"os/linux/seccomp-remove-set","value":{"set":["@nope/what"]}}])"), "web",
        false);
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string what = e.what();
    CHECK(what.find("@nope/what") != std::string::npos);
    CHECK(what.find("web") != std::string::npos);
  }
}

TEST_CASE("group lists") {
  CHECK(seccomp_group("@rkt/default-whitelist"));
  CHECK(seccomp_group("@rkt/default-blacklist"));
  CHECK_FALSE(seccomp_group("@systemd/clock"));
}

TEST_CASE("which filters let the launcher finish its set-up") {
  CHECK(permits_launcher_setup(default_seccomp_plan()));
  auto deny_setuid = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-remove-set","value":{"set":["setresuid"]}}])"), "a", false);
  CHECK_FALSE(permits_launcher_setup(deny_setuid));
  auto deny_mount = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-remove-set","value":{"set":["@rkt/default-blacklist"]}}])"), "a", false);
  CHECK(permits_launcher_setup(deny_mount));
  auto tiny = plan_seccomp(
      app_with_isolators(R"([{"name":"os/linux/seccomp-retain-set","value":{"set":["read","write","exit_group"]}}])"), "a", false);
  CHECK_FALSE(permits_launcher_setup(tiny));
}
