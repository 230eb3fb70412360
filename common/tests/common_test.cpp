#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/duration.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"
#include "common/process.hpp"
#include "common/sha512.hpp"
#include "common/strings.hpp"
#include "common/table.hpp"
#include "common/temp_path.hpp"
#include "common/uuid.hpp"

using namespace pod;

TEST_CASE("errors carry errno and a chain of context") {
  try {
    with_context("rendering image x", [] {
      with_context("mounting overlay at /y", [] { throw_errno("mount", EINVAL); });
    });
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "rendering image x: mounting overlay at /y: mount: Invalid argument");
    CHECK(e.errnum() == EINVAL);
    CHECK(e.message() == "mount");
  }
}

TEST_CASE("uuid") {
  auto u = new_uuid();
  CHECK(is_uuid(u));
  CHECK(u[14] == '4');
  CHECK(new_uuid() != u);
  CHECK_FALSE(is_uuid("not-a-uuid"));
  CHECK(normalize_uuid("6A3F0A4E-0F3B-4C1B-9D5E-1234567890AB") ==
        std::optional<std::string>("6a3f0a4e-0f3b-4c1b-9d5e-1234567890ab"));
}

TEST_CASE("sha512 of a known string") {
  CHECK(sha512_hex("abc").substr(0, 16) == "ddaf35a193617aba");
  Sha512 h;
  h.update("a");
  h.update("bc");
  CHECK(h.hex_digest() == sha512_hex("abc"));
}

TEST_CASE("durations") {
  CHECK(parse_duration("30m").count() == 30 * 60'000);
  CHECK(parse_duration("1h30m").count() == 90 * 60'000);
  CHECK(parse_duration("500ms").count() == 500);
  CHECK(parse_duration("0").count() == 0);
  CHECK_THROWS_AS((void)parse_duration("ten"), UsageError);
  CHECK_THROWS_AS((void)parse_duration("10"), UsageError);
}

TEST_CASE("mountinfo parsing is linear and unescapes") {
  std::string text =
      "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
      "30 22 0:30 / /var/lib/pod/pods/run/a rw shared:1 - overlay overlay rw\n"
      "31 30 0:31 / /var/lib/pod/pods/run/a/stage1/rootfs/dev rw - tmpfs tmpfs rw\n"
      "32 1 0:32 / /with\\040space rw - tmpfs none rw\n"
      "garbage line\n";
  auto m = parse_mountinfo(text);
  REQUIRE(m.size() == 4);
  CHECK(m[1].fstype == "overlay");
  CHECK(m[3].mount_point == "/with space");
  auto under = mounts_under(m, "/var/lib/pod/pods/run/a/");
  REQUIRE(under.size() == 2);
  CHECK(under[0] == "/var/lib/pod/pods/run/a/stage1/rootfs/dev");
  CHECK(mounts_under(m, "/var/lib/pod/pods/run/ab").empty());
}

TEST_CASE("atomic writes, temp dirs and tree removal") {
  std::string dir;
  {
    TempPath t = make_temp_dir("/tmp", "podtest-");
    dir = t.path();
    write_file_atomic(path_join(dir, "f"), "hello");
    CHECK(read_file(path_join(dir, "f")) == "hello");
    make_dirs(path_join(dir, "a/b/c"));
    write_file_atomic(path_join(dir, "a/b/c/g"), "x");
    REQUIRE(::symlink("/etc", path_join(dir, "a/link").c_str()) == 0);
    CHECK(list_dir(dir) == std::vector<std::string>{"a", "f"});
  }
  CHECK_FALSE(path_exists(dir));
  CHECK(path_exists("/etc/passwd"));  // the symlink to /etc was removed, not followed
}

TEST_CASE("list_dir_at lists an open directory, sorted, as often as asked") {
  TempPath t = make_temp_dir("/tmp", "podtest-");
  for (const char* name : {"b", "c", "a"}) write_file_atomic(path_join(t.path(), name), "");
  UniqueFd dir = open_dir(t.path());
  const std::vector<std::string> all{"a", "b", "c"};
  CHECK(list_dir_at(dir.get(), t.path()) == all);
  CHECK(list_dir_at(dir.get(), t.path()) == all);  // the shared offset does not hide entries
  CHECK(fcntl(dir.get(), F_GETFD) >= 0);             // the fd is still the caller's
  try {
    (void)list_dir_at(-1, "nowhere");
    FAIL("listing a bad fd must throw");
  } catch (const Error& e) {
    CHECK(e.errnum() == EBADF);
    CHECK(std::string(e.what()).find("nowhere") != std::string::npos);
  }
}

TEST_CASE("run_command captures output and exit codes") {
  auto r = run_command({"sh", "-c", "cat; echo err >&2; exit 3"}, {.stdin_data = "in"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "in");
  CHECK(r.err == "err\n");
  CHECK(run_command({"sh", "-c", "kill -9 $$"}).exit_code == 128 + 9);
}

TEST_CASE("strings and tables") {
  CHECK(split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(human_size(1536) == "1.5 KiB");
  Table t({"ID", "NAME"});
  t.add_row({"abc", "example.com/x"});
  CHECK(t.render(true) == "ID   NAME\nabc  example.com/x\n");
  CHECK(t.render(false) == "abc  example.com/x\n");
}
