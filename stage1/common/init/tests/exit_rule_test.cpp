#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/init/exit_rule.hpp"
#include "stage1/common/init/options.hpp"

using namespace pod;
using namespace pod::stage1::init;

TEST_CASE("all apps succeeded: 0") {
  CHECK(pod_exit_code({{"a", 0, false}, {"b", 0, true}}, false) == 0);
  CHECK(pod_exit_code({}, false) == 0);
}

TEST_CASE("the first failing app's status") {
  CHECK(pod_exit_code({{"a", 0, false}, {"b", 3, false}, {"c", 5, false}}, false) == 3);
  CHECK(pod_exit_code({{"a", 7, false}, {"b", 143, true}}, false) == 7);
}

TEST_CASE("apps pod init stopped because another ended are not failures") {
  CHECK(pod_exit_code({{"a", 0, false}, {"b", 143, true}, {"c", 137, true}}, false) == 0);
}

TEST_CASE("a stop from outside: the stopped apps' statuses count") {
  CHECK(pod_exit_code({{"a", 143, true}, {"b", 0, true}}, true) == 143);
}

TEST_CASE("pod init's command line") {
  auto o = parse_init_options({"--uuid=U", "--launcher=/l", "--debug", "--dns=1.2.3.4", "--stop-timeout-ms=500"});
  CHECK(o.uuid == "U");
  CHECK(o.debug);
  CHECK(o.dns == std::vector<std::string>{"1.2.3.4"});
  CHECK(o.stop_timeout_ms == 500);
  CHECK_THROWS_AS((void)parse_init_options({"--launcher=/l"}), UsageError);
  CHECK_THROWS_AS((void)parse_init_options({"--uuid=U", "--launcher=/l", "--bogus"}), UsageError);
  CHECK_THROWS_AS((void)parse_init_options({"--uuid=U", "--launcher=/l", "--stop-timeout-ms=x"}), UsageError);
}

TEST_CASE("an app that could not be started is the pod's failure") {
  auto r = pod_result({{"a", 0, false}, {"b", 127, false, 0, true}}, false);
  CHECK(r.failed);
  CHECK(r.code == 254);
}

TEST_CASE("a signal death is recorded so pod run can die of it too") {
  auto r = pod_result({{"a", 143, true, 15, false}}, true);
  CHECK(r.signal == 15);
  CHECK(r.code == 143);
  CHECK(result_text(r) == "signal 15\n");
  CHECK(parse_result("signal 15\n").signal == 15);
  CHECK(parse_result("exit 3").code == 3);
  CHECK(parse_result("failed").failed);
  CHECK(parse_result("garbage").failed);
  CHECK(result_text(PodResult{}) == "exit 0\n");
}
