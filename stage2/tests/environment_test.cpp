#include <doctest/doctest.h>

#include <algorithm>

#include "stage2/environment.hpp"

using namespace pod::stage2;

TEST_CASE("the ACE variables are set and the app cannot override its name") {
  EnvironmentInputs in;
  in.app_name = "web";
  in.metadata_url = "http://169.254.169.255/token";
  in.app_environment.set("AC_APP_NAME", "fake");
  in.app_environment.set("GREETING", "hello");
  in.app_environment.set("NOTIFY_SOCKET", "/fake");
  in.notify_socket = "@pod-notify/u/web";
  in.user = ResolvedUser{1000, PasswdEntry{"user", 1000, 1000, "/home/user", "/bin/sh"}};
  auto env = build_environment(in);
  CHECK(env.get("AC_APP_NAME") == "web");
  CHECK(env.get("AC_METADATA_URL") == "http://169.254.169.255/token");
  CHECK(env.get("GREETING") == "hello");
  CHECK(env.get("NOTIFY_SOCKET") == "@pod-notify/u/web");
  CHECK(env.get("PATH") == std::string(kDefaultPath));
  CHECK(env.get("HOME") == "/home/user");
  CHECK(env.get("USER") == "user");
  CHECK(env.get("LOGNAME") == "user");
  CHECK_FALSE(env.get("TERM"));
}

TEST_CASE("the app's PATH and HOME win over the defaults") {
  EnvironmentInputs in;
  in.app_name = "a";
  in.app_environment.set("PATH", "/opt/bin");
  in.app_environment.set("HOME", "/data");
  auto env = build_environment(in);
  CHECK(env.get("PATH") == "/opt/bin");
  CHECK(env.get("HOME") == "/data");
  CHECK_FALSE(env.get("AC_METADATA_URL"));
  CHECK_FALSE(env.get("NOTIFY_SOCKET"));
}

TEST_CASE("root without a passwd entry and an unknown uid") {
  EnvironmentInputs root;
  root.app_name = "a";
  root.user = ResolvedUser{0, std::nullopt};
  auto env = build_environment(root);
  CHECK(env.get("HOME") == "/root");
  CHECK(env.get("USER") == "root");

  EnvironmentInputs other;
  other.app_name = "a";
  other.user = ResolvedUser{4242, std::nullopt};
  other.term = "xterm";
  auto env2 = build_environment(other);
  CHECK(env2.get("HOME") == "/");
  CHECK_FALSE(env2.get("USER"));
  CHECK(env2.get("TERM") == "xterm");
  auto strings = environment_strings(env2);
  CHECK(std::find(strings.begin(), strings.end(), "TERM=xterm") != strings.end());
}

TEST_CASE("socket activation: LISTEN_* name the app's own pid, and only with passed sockets") {
  EnvironmentInputs in;
  in.app_name = "web";
  in.app_environment.set("LISTEN_FDS", "9");  // the image cannot fake it
  in.listen_fds = 2;
  in.listen_fdnames = "http:admin";
  in.listen_pid = 4242;
  auto env = build_environment(in);
  CHECK(env.get("LISTEN_FDS") == "2");
  CHECK(env.get("LISTEN_PID") == "4242");
  CHECK(env.get("LISTEN_FDNAMES") == "http:admin");

  in.listen_fdnames.clear();
  CHECK_FALSE(build_environment(in).get("LISTEN_FDNAMES"));

  in.listen_fds = 0;
  in.app_environment.set("LISTEN_PID", "1");
  in.app_environment.set("LISTEN_FDNAMES", "x");
  auto none = build_environment(in);
  CHECK_FALSE(none.get("LISTEN_FDS"));
  CHECK_FALSE(none.get("LISTEN_PID"));
  CHECK_FALSE(none.get("LISTEN_FDNAMES"));
}
