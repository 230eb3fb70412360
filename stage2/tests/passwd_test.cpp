#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage2/passwd.hpp"

using namespace pod::stage2;

static const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "broken line\n"
    "user:x:1000:1000:A User,,,:/home/user:/bin/sh\n"
    "baduid:x:abc:1:x:/:/bin/sh\n";

static const char* kGroup =
    "root:x:0:\n"
    "group:x:1000:\n"
    "extra:x:2000:user,daemon\n"
    "nogid:x::\n";

TEST_CASE("passwd lines are parsed and bad ones skipped") {
  auto entries = parse_passwd(kPasswd);
  REQUIRE(entries.size() == 3);
  CHECK(entries[2].name == "user");
  CHECK(entries[2].uid == 1000);
  CHECK(entries[2].gid == 1000);
  CHECK(entries[2].home == "/home/user");
  CHECK(entries[2].shell == "/bin/sh");
}

TEST_CASE("group lines keep their members") {
  auto groups = parse_group(kGroup);
  REQUIRE(groups.size() == 3);
  CHECK(groups[2].name == "extra");
  CHECK(groups[2].gid == 2000);
  CHECK(groups[2].members == std::vector<std::string>{"user", "daemon"});
  CHECK(groups[0].members.empty());
}

TEST_CASE("users resolve by name and by number, in the app's database only") {
  auto passwd = parse_passwd(kPasswd);
  auto by_name = resolve_user("user", passwd, "/etc/passwd");
  CHECK(by_name.uid == 1000);
  REQUIRE(by_name.entry);
  CHECK(by_name.entry->home == "/home/user");

  auto by_number = resolve_user("1000", passwd, "/etc/passwd");
  CHECK(by_number.uid == 1000);
  REQUIRE(by_number.entry);
  CHECK(by_number.entry->name == "user");

  auto unknown_number = resolve_user("4242", passwd, "/etc/passwd");
  CHECK(unknown_number.uid == 4242);
  CHECK_FALSE(unknown_number.entry);

  // "root" works even in an image without /etc/passwd.
  CHECK(resolve_user("root", {}, "/etc/passwd").uid == 0);

  try {
    (void)resolve_user("nobody-here", passwd, "/etc/passwd");
    FAIL("an unknown user must be an error");
  } catch (const pod::Error& e) {
    std::string what = e.what();
    CHECK(what.find("nobody-here") != std::string::npos);
    CHECK(what.find("/etc/passwd") != std::string::npos);
    CHECK_FALSE(e.hint().empty());
  }
}

TEST_CASE("groups resolve by name and by number") {
  auto groups = parse_group(kGroup);
  CHECK(resolve_group("group", groups, "/etc/group") == 1000);
  CHECK(resolve_group("2000", groups, "/etc/group") == 2000);
  CHECK(resolve_group("root", {}, "/etc/group") == 0);
  CHECK_THROWS_AS((void)resolve_group("wheel", groups, "/etc/group"), pod::Error);
}

TEST_CASE("ids are decimal numbers below (uid_t)-1") {
  CHECK(parse_id("0") == 0u);
  CHECK(parse_id("4294967294") == 4294967294u);
  CHECK_FALSE(parse_id("4294967295"));
  CHECK_FALSE(parse_id("-1"));
  CHECK_FALSE(parse_id("12a"));
  CHECK_FALSE(parse_id(""));
}
