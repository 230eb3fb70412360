#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/common/init/app_log.hpp"

using namespace pod;
using namespace pod::stage1::init;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pod-init-log-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { remove_tree(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Text of the records, without their time stamps.
std::vector<std::string> records(const std::string& file) {
  std::vector<std::string> out;
  for (const auto& line : split(read_file(file), '\n')) {
    if (line.empty()) continue;
    out.push_back(line.substr(line.find(' ') + 1));
  }
  return out;
}

}  // namespace

TEST_CASE("CRI log lines") {
  timespec t{1700000000, 5};
  CHECK(cri_line(t, Stream::out, false, "hello") == "2023-11-14T22:13:20.000000005Z stdout F hello\n");
  CHECK(cri_line(t, Stream::err, true, "") == "2023-11-14T22:13:20.000000005Z stderr P \n");
}

TEST_CASE("lines are recorded whole however the pipe splits them; output is passed on") {
  TempDir d;
  std::string out_path = d.path + "/stdout";
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT, 0600);
  {
    AppLog log("web", AppLogOptions{d.path, 1 << 20, true, out, out});
    log.feed(Stream::out, "hel");
    log.feed(Stream::out, "lo\nwor");
    log.feed(Stream::err, "oops\n");
    log.feed(Stream::out, "ld\nno newline");
    log.finish(Stream::out);
  }
  ::close(out);
  CHECK(records(d.path + "/web.log") ==
        std::vector<std::string>{"stdout F hello", "stderr F oops", "stdout F world", "stdout F no newline"});
  CHECK(read_file(out_path) == "web: hello\nweb: oops\nweb: world\nweb: no newline\n");
}

TEST_CASE("without a prefix the bytes are passed on as they come") {
  TempDir d;
  std::string out_path = d.path + "/stdout";
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT, 0600);
  {
    AppLog log("web", AppLogOptions{d.path, 1 << 20, false, out, out});
    log.feed(Stream::out, "a\nb");
  }
  ::close(out);
  CHECK(read_file(out_path) == "a\nb");
}

TEST_CASE("a long line becomes P records and a final F") {
  TempDir d;
  AppLog log("web", AppLogOptions{d.path, 1 << 22, false, -1, -1});
  log.feed(Stream::out, std::string(kMaxRecordText + 10, 'x') + "\n");
  auto r = records(d.path + "/web.log");
  REQUIRE(r.size() == 2);
  CHECK(r[0].substr(0, 9) == "stdout P ");
  CHECK(r[0].size() == 9 + kMaxRecordText);
  CHECK(r[1] == "stdout F xxxxxxxxxx");
}

TEST_CASE("the file is rotated to .1 past the bound") {
  TempDir d;
  AppLog log("web", AppLogOptions{d.path, 4096, false, -1, -1});
  for (int i = 0; i < 100; ++i) log.feed(Stream::out, "line " + std::to_string(i) + " " + std::string(40, 'y') + "\n");
  CHECK(path_exists(d.path + "/web.log.1"));
  auto cur = records(d.path + "/web.log");
  auto old = records(d.path + "/web.log.1");
  CHECK(cur.back().find("line 99 ") != std::string::npos);
  CHECK(read_file(d.path + "/web.log").size() <= 4096);
  CHECK(read_file(d.path + "/web.log.1").size() <= 4096);
  // No record is lost between the two generations.
  CHECK(old.back().find("line " + std::to_string(99 - static_cast<int>(cur.size())) + " ") != std::string::npos);
}

TEST_CASE("journal entries: native protocol fields, binary form for a value with a newline") {
  using pod::stage1::init::journal_entry;
  CHECK(journal_entry("web", false, "u-1", "hello") ==
        "MESSAGE=hello\nSYSLOG_IDENTIFIER=web\nPRIORITY=6\nPOD_UUID=u-1\nPOD_APP=web\n");
  const std::string e = journal_entry("web", true, "u-1", "a\nb");
  CHECK(e.substr(0, 8) == "MESSAGE\n");
  CHECK(e.substr(8, 8) == std::string("\x03\0\0\0\0\0\0\0", 8));
  CHECK(e.substr(16, 4) == "a\nb\n");
  CHECK(e.find("PRIORITY=3\n") != std::string::npos);
}
