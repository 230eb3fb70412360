#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage1/common/init/control.hpp"
#include "stage1/common/init/options.hpp"

using namespace pod;
using namespace pod::stage1::init;

TEST_CASE("control requests round-trip") {
  ControlRequest r{"add", "web", "{\"acKind\":\"PodManifest\"}\nwith a newline"};
  std::string line = format_request(r);
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);  // one line, whatever the manifest holds
  ControlRequest back = parse_request(line.substr(0, line.size() - 1));
  CHECK(back.op == "add");
  CHECK(back.app == "web");
  CHECK(back.manifest == r.manifest);
  CHECK(parse_request(format_request({"stop", "x", {}})).op == "stop");
}

TEST_CASE("bad control requests are refused with the reason") {
  CHECK_THROWS_WITH_AS((void)parse_request("not json"), doctest::Contains("not JSON"), Error);
  CHECK_THROWS_WITH_AS((void)parse_request(R"({"op":"kill","app":"a"})"), doctest::Contains("unknown control operation"),
                       Error);
  CHECK_THROWS_WITH_AS((void)parse_request(R"({"op":"start","app":""})"), doctest::Contains("names no app"), Error);
  CHECK_THROWS_WITH_AS((void)parse_request(R"({"op":"add","app":"a"})"), doctest::Contains("no pod manifest"), Error);
  CHECK_THROWS_AS((void)parse_request(R"({"app":"a"})"), Error);
}

TEST_CASE("replies round-trip") {
  CHECK(parse_reply(format_reply({})).ok);
  ControlReply no = parse_reply(format_reply({false, "app x is not running"}));
  CHECK_FALSE(no.ok);
  CHECK(no.error == "app x is not running");
  CHECK_THROWS_AS((void)parse_reply("{}"), Error);
}

TEST_CASE("a request and its reply over a real socket") {
  char dir_template[] = "/tmp/control-test-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template;
  UniqueFd listener = listen_control(dir + "/init.sock");
  UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  UniqueFd client = connect_control(dirfd.get(), "init.sock");
  CHECK(write_text(client.get(), format_request({"start", "a", {}})));
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  REQUIRE(conn);
  auto line = read_line(conn.get(), 2000);
  REQUIRE(line);
  CHECK(parse_request(*line).app == "a");
  CHECK(write_text(conn.get(), format_reply({false, "nope"})));
  auto reply = read_line(client.get(), 2000);
  REQUIRE(reply);
  CHECK(parse_reply(*reply).error == "nope");
  conn.reset();
  CHECK_FALSE(read_line(client.get(), 2000).has_value());  // EOF
  remove_tree(dir);
}

TEST_CASE("nobody listening: the error names the socket and what to do") {
  CHECK_THROWS_WITH_AS((void)connect_control(-1, "/nonexistent/init.sock"),
                       doctest::Contains("/nonexistent/init.sock"), Error);
}

TEST_CASE("pod init's mutable flags") {
  auto o = parse_init_options({"--uuid=u", "--launcher=/l", "--mutable", "--control=/rkt/control/init.sock"});
  CHECK(o.mutable_pod);
  CHECK(o.control == "/rkt/control/init.sock");
  CHECK_THROWS_AS((void)parse_init_options({"--uuid=u", "--launcher=/l", "--mutable"}), UsageError);
}
