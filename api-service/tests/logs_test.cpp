#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "api-service/logs.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

using namespace pod::api;

TEST_CASE("RFC 3339 timestamps of log records") {
  CHECK(parse_rfc3339("1970-01-01T00:00:01Z") == 1'000'000'000);
  CHECK(parse_rfc3339("1970-01-01T00:00:01.5Z") == 1'500'000'000);
  CHECK(parse_rfc3339("1970-01-01T00:00:00.000000001Z") == 1);
  CHECK(parse_rfc3339("1970-01-01T01:00:00+01:00") == 0);
  CHECK_FALSE(parse_rfc3339("1970-01-01 00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK(record_time("2026-12-02T09:41:36.1Z stdout F hello") ==
        parse_rfc3339("2026-12-02T09:41:36.1Z"));
}

namespace {

void write_log(const std::string& pod, const std::string& name, const std::string& text) {
  std::string dir = pod + "/overlay/stage1/upper/rkt/logs";
  pod::make_dirs(dir, 0755);
  pod::write_file_atomic(dir + "/" + name, text);
}

void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

}  // namespace

TEST_CASE("read_logs merges apps and rotated files by time and honours lines and since") {
  pod::TempPath pod = pod::make_temp_dir("/tmp", "api-logs-");
  write_log(pod.path(), "a.log.1", "1970-01-01T00:00:01Z stdout F a1\n");
  write_log(pod.path(), "a.log", "1970-01-01T00:00:03Z stdout F a3\n");
  write_log(pod.path(), "b.log", "1970-01-01T00:00:02Z stderr F b2\n1970-01-01T00:00:04Z stdout P b4\n");
  auto all = read_logs(pod.path(), {"a", "b"}, {});
  REQUIRE(all.size() == 4);
  CHECK(all[0].line == "1970-01-01T00:00:01Z stdout F a1");
  CHECK(all[1].app == "b");
  CHECK(all[3].line == "1970-01-01T00:00:04Z stdout P b4");
  auto last2 = read_logs(pod.path(), {"a", "b"}, {2, 0, 0});
  REQUIRE(last2.size() == 2);
  CHECK(last2[0].line.find("a3") != std::string::npos);
  auto since = read_logs(pod.path(), {"a"}, {0, 2'000'000'000, 0});
  REQUIRE(since.size() == 1);
  CHECK(since[0].line.find("a3") != std::string::npos);
  auto until = read_logs(pod.path(), {"a", "b"}, {0, 0, 2'000'000'000});
  CHECK(until.size() == 2);
}

TEST_CASE("a LogTail follows new lines across a rotation, never half a line") {
  pod::TempPath pod = pod::make_temp_dir("/tmp", "api-logs-");
  write_log(pod.path(), "a.log", "1970-01-01T00:00:01Z stdout F old\n");
  std::string path = app_log_path(pod.path(), "a");
  LogTail tail(path, "a");
  CHECK(tail.poll().empty());
  append(path, "1970-01-01T00:00:02Z stdout F new\n1970-01-01T00:00:03Z stdout F ha");
  auto got = tail.poll();
  REQUIRE(got.size() == 1);
  CHECK(got[0].line.find(" new") != std::string::npos);
  append(path, "lf\n");
  REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
  write_log(pod.path(), "a.log", "1970-01-01T00:00:04Z stdout F rotated\n");
  got = tail.poll();
  REQUIRE(got.size() == 2);
  CHECK(got[0].line == "1970-01-01T00:00:03Z stdout F half");
  CHECK(got[1].line.find("rotated") != std::string::npos);
}
