#include "api-service/logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/pods/paths.hpp"

namespace pod::api {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc() && p == s.data() + pos + n;
}

void append_lines(std::string_view data, const std::string& app, std::vector<LogRecord>& out) {
  for (const auto& line : split(data, '\n')) {
    if (line.empty()) continue;
    out.push_back(LogRecord{record_time(line).value_or(0), app, line});
  }
}

std::optional<std::string> read_optional(const std::string& path) {
  try {
    return read_file(path);
  } catch (const Error& e) {
    if (e.errnum() == ENOENT) return std::nullopt;
    throw;
  }
}

}  // namespace

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  // 2026-12-02T09:41:36[.123456789](Z|+hh:mm|-hh:mm)
  std::tm tm{};
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (s.size() < 20 || !digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, mon) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, min) || s[16] != ':' ||
      !digits(s, 17, 2, sec))
    return std::nullopt;
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100'000'000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset_s = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(::timegm(&tm)) - offset_s;
  return secs * 1'000'000'000 + frac_ns;
}

std::optional<int64_t> record_time(std::string_view line) {
  auto space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  return parse_rfc3339(line.substr(0, space));
}

std::string app_log_path(const std::string& pod_path, const std::string& app) {
  std::string first;
  for (const char* base : {pods::pod_file::kStage1Upper, pods::pod_file::kStage1Rootfs}) {
    std::string p = pod_path + "/" + base + "/rkt/logs/" + app + ".log";
    if (first.empty()) first = p;
    if (path_exists(p) || path_exists(p + ".1")) return p;
  }
  return first;
}

std::vector<LogRecord> read_logs(const std::string& pod_path, const std::vector<std::string>& apps,
                                 const LogQuery& q, const std::vector<off_t>& limits) {
  std::vector<LogRecord> all;
  for (size_t i = 0; i < apps.size(); ++i) {
    std::string path = app_log_path(pod_path, apps[i]);
    if (auto text = read_optional(path + ".1")) append_lines(*text, apps[i], all);
    if (auto text = read_optional(path)) {
      off_t limit = i < limits.size() ? limits[i] : -1;
      if (limit >= 0 && static_cast<size_t>(limit) < text->size()) text->resize(static_cast<size_t>(limit));
      append_lines(*text, apps[i], all);
    }
  }
  // Each file is in time order already; a stable sort merges the apps' files.
  std::stable_sort(all.begin(), all.end(),
                   [](const LogRecord& a, const LogRecord& b) { return a.time_ns < b.time_ns; });
  std::vector<LogRecord> out;
  for (auto& r : all) {
    if (q.since_ns > 0 && r.time_ns < q.since_ns) continue;
    if (q.until_ns > 0 && r.time_ns > q.until_ns) continue;
    out.push_back(std::move(r));
  }
  if (q.lines > 0 && out.size() > static_cast<size_t>(q.lines))
    out.erase(out.begin(), out.end() - q.lines);
  return out;
}

LogTail::LogTail(std::string path, std::string app) : path_(std::move(path)), app_(std::move(app)) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // not written yet: poll() opens it once it exists
  fd_ = UniqueFd(fd);
  struct stat st {};
  if (::fstat(fd, &st) == 0) ino_ = st.st_ino;
  // Start after the last complete line: a line being written belongs to what we follow.
  off_t end = ::lseek(fd, 0, SEEK_END);
  char buf[4096];
  off_t pos = end;
  start_ = 0;
  while (pos > 0) {
    off_t from = pos > static_cast<off_t>(sizeof buf) ? pos - static_cast<off_t>(sizeof buf) : 0;
    ssize_t n = ::pread(fd, buf, static_cast<size_t>(pos - from), from);
    if (n <= 0) break;
    std::string_view chunk(buf, static_cast<size_t>(n));
    if (auto nl = chunk.rfind('\n'); nl != std::string_view::npos) {
      start_ = from + static_cast<off_t>(nl) + 1;
      break;
    }
    pos = from;
  }
  (void)::lseek(fd, start_, SEEK_SET);
}

void LogTail::drain(std::vector<LogRecord>& out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial_.append(buf, static_cast<size_t>(n));
  }
  auto last_nl = partial_.rfind('\n');
  if (last_nl == std::string::npos) return;
  append_lines(std::string_view(partial_).substr(0, last_nl), app_, out);
  partial_.erase(0, last_nl + 1);
}

std::vector<LogRecord> LogTail::poll() {
  std::vector<LogRecord> out;
  if (fd_) drain(out);
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && (!fd_ || st.st_ino != ino_)) {
    // Rotated (or created): what the old file got before the rename is read above.
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      fd_ = UniqueFd(fd);
      ino_ = st.st_ino;
      partial_.clear();
      drain(out);
    }
  }
  return out;
}

}  // namespace pod::api
