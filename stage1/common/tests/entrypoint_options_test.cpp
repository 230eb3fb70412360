#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/entrypoint_options.hpp"

using namespace pod;
using namespace pod::stage1;

TEST_CASE("run flags: the flavor's handler takes what it knows, the rest is reported") {
  std::string uuid;
  std::vector<std::string> unknown, nets;
  bool debug = false;
  parse_run_flags({"--debug", "--net", "a,b", "--net=c", "--newer=1", "U"},
                  [&](const EntrypointFlag& f, const FlagValues& v) {
                    if (f.name == "debug") debug = flag_bool(f);
                    else if (f.name == "net") append_list(nets, v.take(f));
                    else return false;
                    return true;
                  },
                  uuid, unknown);
  CHECK(debug);
  CHECK(nets == std::vector<std::string>{"a", "b", "c"});
  CHECK(unknown == std::vector<std::string>{"--newer=1"});
  CHECK(uuid == "U");
  auto none = [](const EntrypointFlag&, const FlagValues&) { return false; };
  CHECK_THROWS_WITH_AS(parse_run_flags({"U", "V"}, none, uuid = "", unknown), doctest::Contains("\"V\""), UsageError);
  CHECK_THROWS_WITH_AS(parse_run_flags({}, none, uuid = "", unknown), doctest::Contains("UUID"), UsageError);
  auto takes = [](const EntrypointFlag& f, const FlagValues& v) { return !v.take(f).empty(); };
  CHECK_THROWS_WITH_AS(parse_run_flags({"--net"}, takes, uuid = "", unknown), doctest::Contains("needs a value"),
                       UsageError);
}

TEST_CASE("booleans: bare, true/1, false/0; anything else is refused") {
  CHECK(flag_bool({"x", std::nullopt, "--x"}));
  CHECK(flag_bool({"x", "1", "--x=1"}));
  CHECK_FALSE(flag_bool({"x", "false", "--x=false"}));
  CHECK_THROWS_AS((void)flag_bool({"x", "maybe", "--x=maybe"}), UsageError);
}

TEST_CASE("enter: flags, then the command after -- or at the first non-flag") {
  auto e = parse_enter_flags({"--pid=42", "--appname", "web", "--", "ls", "-l"});
  CHECK(e.pid == 42);
  CHECK(e.app == "web");
  CHECK(e.command == std::vector<std::string>{"ls", "-l"});
  CHECK(parse_enter_flags({"--pid", "7", "sh", "-c", "x"}).command == std::vector<std::string>{"sh", "-c", "x"});
  CHECK_THROWS_AS((void)parse_enter_flags({"--appname=web"}), UsageError);
  CHECK_THROWS_AS((void)parse_enter_flags({"--pid=x"}), UsageError);
  CHECK_THROWS_AS((void)parse_enter_flags({"--pid=1", "--bogus"}), UsageError);
}

TEST_CASE("stop and gc: each flavor's rules") {
  const EntrypointRules fly{true, {"local-config"}, false};
  const EntrypointRules nspawn{false, {}, true};
  CHECK(parse_stop_flags({"--force", "U"}, nspawn).force);
  CHECK(parse_stop_flags({"--debug", "U"}, fly).uuid == "U");
  CHECK_THROWS_AS((void)parse_stop_flags({"--debug", "U"}, nspawn), UsageError);
  CHECK_THROWS_AS((void)parse_stop_flags({"U", "V"}, fly), UsageError);
  CHECK_THROWS_AS((void)parse_stop_flags({"--force"}, fly), UsageError);

  CHECK(parse_gc_flags({"--local-config", "/etc/pod", "U"}, fly).uuid == "U");
  CHECK_THROWS_AS((void)parse_gc_flags({"--newer=1", "U"}, fly), UsageError);
  auto g = parse_gc_flags({"--debug", "--newer=1", "U"}, nspawn);
  CHECK(g.debug);
  CHECK(g.uuid == "U");
  CHECK_THROWS_AS((void)parse_gc_flags({}, nspawn), UsageError);
}
