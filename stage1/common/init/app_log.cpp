#include "stage1/common/init/app_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::stage1::init {
namespace {

void write_fd(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the pod's stdout went away (a closed pipe): the log file still has it
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string cri_line(const timespec& when, Stream stream, bool partial, std::string_view text) {
  tm utc{};
  gmtime_r(&when.tv_sec, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, when.tv_nsec);
  std::string out = stamp;
  out += stream == Stream::out ? " stdout " : " stderr ";
  out += partial ? "P " : "F ";
  out += text;
  out += '\n';
  return out;
}

AppLog::AppLog(std::string app, AppLogOptions options) : app_(std::move(app)), options_(std::move(options)) {
  open_file();
}

void AppLog::open_file() {
  try {
    make_dirs(options_.dir);
    file_ = open_fd(path(), O_WRONLY | O_CREAT | O_APPEND, 0640);
    struct stat st{};
    size_ = fstat(file_.get(), &st) == 0 ? st.st_size : 0;
  } catch (const Error& e) {
    if (!file_failed_) std::fprintf(stderr, "pod init: app %s: log file: %s\n", app_.c_str(), e.what());
    file_failed_ = true;
    file_.reset();
  }
}

void AppLog::write_file(const std::string& line) {
  if (!file_) return;
  if (size_ > 0 && size_ + static_cast<long long>(line.size()) > options_.max_bytes) {
    // One generation is kept: readers see <app>.log.1 then <app>.log, in order.
    std::string rotated = path() + ".1";
    if (::rename(path().c_str(), rotated.c_str()) == 0) open_file();
    if (!file_) return;
  }
  if (::write(file_.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
    size_ += static_cast<long long>(line.size());
  } else if (!file_failed_) {
    std::fprintf(stderr, "pod init: app %s: writing %s: %s\n", app_.c_str(), path().c_str(), std::strerror(errno));
    file_failed_ = true;
  }
}

void AppLog::record(Stream stream, std::string_view text, bool partial) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  write_file(cri_line(now, stream, partial, text));
  if (options_.journal != nullptr) options_.journal->send(app_, stream == Stream::err, text);
}

void AppLog::forward(Stream stream, std::string_view text, bool line) {
  int fd = stream == Stream::out ? options_.pod_stdout : options_.pod_stderr;
  if (!options_.prefix) {
    write_fd(fd, text);
    return;
  }
  // Prefixed output goes a line at a time, so two apps' lines never interleave mid-line.
  std::string out = app_ + ": ";
  out += text;
  if (line) out += '\n';
  write_fd(fd, out);
}

void AppLog::feed(Stream stream, std::string_view data) {
  if (!options_.prefix) forward(stream, data, false);
  std::string& buf = pending_[static_cast<int>(stream)];
  buf.append(data);
  size_t start = 0;
  for (;;) {
    size_t nl = buf.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(buf.data() + start, nl - start);
    if (options_.prefix) forward(stream, line, true);
    while (line.size() > kMaxRecordText) {
      record(stream, line.substr(0, kMaxRecordText), true);
      line.remove_prefix(kMaxRecordText);
    }
    record(stream, line, false);
    start = nl + 1;
  }
  buf.erase(0, start);
  while (buf.size() > kMaxRecordText) {  // a long line still coming: its first parts now
    record(stream, std::string_view(buf).substr(0, kMaxRecordText), true);
    if (options_.prefix) forward(stream, std::string_view(buf).substr(0, kMaxRecordText), false);
    buf.erase(0, kMaxRecordText);
  }
}

void AppLog::finish(Stream stream) {
  std::string& buf = pending_[static_cast<int>(stream)];
  if (buf.empty()) return;
  if (options_.prefix) forward(stream, buf, true);
  record(stream, buf, false);
  buf.clear();
}

}  // namespace pod::stage1::init
