// An app's stdout and stderr, as pod init receives them through pipes: passed on to the
// pod's own stdout/stderr (each line prefixed "<app>: " when the pod has several apps)
// and kept in /rkt/logs/<app>.log in the CRI log format that `pod logs` and the
// api-service read (Documentation/stage1-abi.md, "Logs"):
//   2026-12-02T09:40:09.123456789Z stdout F a whole line
//   2026-12-02T09:40:09.123456789Z stderr P the first 16 KiB of a longer line
// The file is rotated to <app>.log.1 when the next record would take it past the bound.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "common/fd.hpp"
#include "stage1/common/init/journal.hpp"

namespace pod::stage1::init {

enum class Stream { out = 0, err = 1 };

struct AppLogOptions {
  std::string dir;                 // /rkt/logs
  long long max_bytes = 10 << 20;  // per file
  bool prefix = false;             // "<app>: " before each line on the pod's stdout/stderr
  int pod_stdout = 1;
  int pod_stderr = 2;
  const JournalSink* journal = nullptr;  // every record also goes there (journal.hpp)
};

// A record longer than this is split into P records and a final F.
inline constexpr size_t kMaxRecordText = 16 * 1024;

// One line of the CRI format, newline included.
[[nodiscard]] std::string cri_line(const timespec& when, Stream stream, bool partial,
                                   std::string_view text);

class AppLog {
 public:
  // Opens (appends to) <dir>/<app>.log. A log file that cannot be written is reported once
  // on stderr; the app's output still reaches the pod's stdout/stderr.
  AppLog(std::string app, AppLogOptions options);
  void feed(Stream stream, std::string_view data);
  // The stream reached EOF: a last line without a newline is written as a whole record.
  void finish(Stream stream);
  [[nodiscard]] std::string path() const { return options_.dir + "/" + app_ + ".log"; }

 private:
  void record(Stream stream, std::string_view text, bool partial);
  void forward(Stream stream, std::string_view text, bool line);
  void write_file(const std::string& line);
  void open_file();

  std::string app_;
  AppLogOptions options_;
  UniqueFd file_;
  long long size_ = 0;
  bool file_failed_ = false;
  std::string pending_[2];
};

}  // namespace pod::stage1::init
