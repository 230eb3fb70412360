#include <doctest/doctest.h>

#include <algorithm>

#include "common/error.hpp"
#include "stage1/nspawn/machined.hpp"
#include "stage1/nspawn/nspawn_command.hpp"
#include "stage1/nspawn/options.hpp"
#include "stage1/nspawn/pod_process.hpp"
#include "stage1/nspawn/socket_passing.hpp"

using namespace pod;
using namespace pod::stage1::nspawn;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

NspawnPlan plan() {
  NspawnPlan p;
  p.nspawn = "/usr/bin/systemd-nspawn";
  p.rootfs = "/pods/run/U/stage1/rootfs";
  p.machine = "pod-U";
  p.hostname = "pod-U";
  p.init = {"/nspawn/init", "--uuid=U"};
  return p;
}

}  // namespace

TEST_CASE("without machined: no registration, the caller's cgroup kept") {
  auto a = nspawn_argv(plan());
  CHECK(a.front() == "/usr/bin/systemd-nspawn");
  CHECK(has(a, "--register=no"));
  CHECK(has(a, "--keep-unit"));
  CHECK(has(a, "--directory=/pods/run/U/stage1/rootfs"));
  CHECK(has(a, "--console=pipe"));
  CHECK(has(a, "--kill-signal=SIGTERM"));
  CHECK_FALSE(has(a, "--private-network"));
  // pod init comes last, after "--".
  auto dd = std::find(a.begin(), a.end(), "--");
  REQUIRE(dd != a.end());
  CHECK(std::vector<std::string>(dd + 1, a.end()) == std::vector<std::string>{"/nspawn/init", "--uuid=U"});
}

TEST_CASE("with machined: registration, no --keep-unit") {
  auto p = plan();
  p.register_machine = true;
  auto a = nspawn_argv(p);
  CHECK(has(a, "--register=yes"));
  CHECK_FALSE(has(a, "--keep-unit"));
}

TEST_CASE("networks, binds, terminal") {
  auto p = plan();
  p.network = NspawnPlan::Network::netns;
  p.netns_path = "/run/netns/pod-U";
  p.binds = {{"/data:x", "/rkt/host-volumes/data", false}, {"/pods/U/pod", "/rkt/pod", true}};
  p.interactive = true;
  auto a = nspawn_argv(p);
  CHECK(has(a, "--network-namespace-path=/run/netns/pod-U"));
  CHECK(has(a, "--bind=/data\\:x:/rkt/host-volumes/data"));
  CHECK(has(a, "--bind-ro=/pods/U/pod:/rkt/pod"));
  CHECK(has(a, "--console=interactive"));
  p.network = NspawnPlan::Network::none;
  CHECK(has(nspawn_argv(p), "--private-network"));
}

TEST_CASE("--debug prints a command a shell can take") {
  CHECK(shell_quoted({"/bin/x", "a b", "it's", "--k=v"}) == "/bin/x 'a b' 'it'\\''s' --k=v");
}

TEST_CASE("run flags as stage0 passes them") {
  auto o = parse_run_options({"--debug", "--net=default,other", "--dns", "192.0.2.1", "--hostname=web",
                              "--private-users", "--new-flag=x", "UUID"});
  CHECK(o.debug);
  CHECK(o.private_users);
  CHECK(o.net == std::vector<std::string>{"default,other"});
  CHECK(o.dns == std::vector<std::string>{"192.0.2.1"});
  CHECK(o.unknown == std::vector<std::string>{"--new-flag=x"});
  CHECK(o.uuid == "UUID");
  CHECK_THROWS_AS((void)parse_run_options({"--debug"}), UsageError);
}

TEST_CASE("enter, stop and gc flags") {
  auto e = parse_enter_options({"--pid=42", "--appname=web", "--", "ls", "-l"});
  CHECK(e.pid == 42);
  CHECK(e.app == "web");
  CHECK(e.command == std::vector<std::string>{"ls", "-l"});
  CHECK_THROWS_AS((void)parse_enter_options({"--appname=web"}), UsageError);
  CHECK(parse_stop_options({"--force", "U"}).force);
  CHECK_THROWS_AS((void)parse_stop_options({}), UsageError);
  CHECK(parse_gc_options({"U"}).uuid == "U");
}

TEST_CASE("NSpid of a container's init") {
  CHECK(parse_nspids("Name:\tinit\nNSpid:\t4242\t1\nNSpgid:\t1\n") == std::vector<pid_t>{4242, 1});
  CHECK(parse_nspids("NSpid:\t17\n") == std::vector<pid_t>{17});
}

TEST_CASE("machined is not reachable without systemd") {
  CHECK_FALSE(machined_reachable(MachinedProbe{"/nonexistent/systemd/system", "/nonexistent/bus"}));
}

TEST_CASE("socket activation: LISTEN_FDS only for our own pid, and nspawn gets LISTEN_PID through env") {
  using pod::stage1::nspawn::passed_sockets;
  using pod::stage1::nspawn::with_listen_pid;
  auto p = passed_sockets("2", "100", "http:admin", 100);
  REQUIRE(p);
  CHECK(p->count == 2);
  CHECK(p->fdnames == "http:admin");
  CHECK_FALSE(passed_sockets("2", "101", nullptr, 100));
  CHECK_FALSE(passed_sockets("0", "100", nullptr, 100));
  CHECK_FALSE(passed_sockets(nullptr, "100", nullptr, 100));
  CHECK_FALSE(passed_sockets("x", "100", nullptr, 100));
  CHECK(passed_sockets("1", "100", nullptr, 100)->fdnames.empty());
  CHECK(with_listen_pid({"/usr/bin/systemd-nspawn", "-q"}, 4242) ==
        std::vector<std::string>{"/usr/bin/env", "LISTEN_PID=4242", "/usr/bin/systemd-nspawn", "-q"});
}
