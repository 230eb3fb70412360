#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/fly/options.hpp"

using namespace pod;
using namespace pod::stage1::fly;

TEST_CASE("run flags as stage0 passes them") {
  auto o = parse_run_options({"--debug", "--net=host", "--interactive=false", "--dns", "192.0.2.1",
                              "--disable-seccomp", "--hostname=web", "--private-users=x", "UUID"});
  CHECK(o.debug);
  CHECK_FALSE(o.interactive);
  CHECK(o.disable_seccomp);
  CHECK(o.net == std::vector<std::string>{"host"});
  CHECK(o.dns == std::vector<std::string>{"192.0.2.1"});
  CHECK(o.hostname == "web");
  CHECK(o.unknown == std::vector<std::string>{"--private-users=x"});
  CHECK(o.uuid == "UUID");
  CHECK_THROWS_AS((void)parse_run_options({"--debug"}), UsageError);
  CHECK_THROWS_AS((void)parse_run_options({"--debug=maybe", "U"}), UsageError);
}

TEST_CASE("enter, stop and gc flags") {
  auto e = parse_enter_options({"--pid=42", "--appname=web", "--", "/bin/ls", "-l"});
  CHECK(e.pid == 42);
  CHECK(e.app == "web");
  CHECK(e.command == std::vector<std::string>{"/bin/ls", "-l"});
  CHECK(parse_enter_options({"--pid", "7"}).command.empty());
  CHECK_THROWS_AS((void)parse_enter_options({"--appname=web"}), UsageError);
  CHECK_THROWS_AS((void)parse_enter_options({"--pid=x"}), UsageError);

  auto s = parse_stop_options({"--force", "UUID"});
  CHECK(s.force);
  CHECK(s.uuid == "UUID");
  CHECK_FALSE(parse_stop_options({"UUID"}).force);
  CHECK_THROWS_AS((void)parse_stop_options({"--force"}), UsageError);

  CHECK(parse_gc_options({"--debug", "UUID"}).debug);
}
