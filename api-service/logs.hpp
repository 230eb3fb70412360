// A pod's per-app log files, as pod init writes them (Documentation/stage1-abi.md):
// /rkt/logs/<app>.log inside the stage1 rootfs, rotated to <app>.log.1, one record per
// line in the CRI format "<RFC3339Nano UTC> <stdout|stderr> <F|P> <text>".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"

namespace pod::api {

struct LogRecord {
  int64_t time_ns = 0;
  std::string app;
  std::string line;  // the record as stored, without the newline
};

// "2026-12-02T09:41:36.123456789Z" (or with a +hh:mm offset) as ns since the epoch.
[[nodiscard]] std::optional<int64_t> parse_rfc3339(std::string_view text);
// The record's timestamp; nullopt for a line that is not a CRI log record.
[[nodiscard]] std::optional<int64_t> record_time(std::string_view line);

// <pod>/overlay/stage1/upper/rkt/logs, or <pod>/stage1/rootfs/rkt/logs for --no-overlay
// pods (whichever has the app's log), else the first.
[[nodiscard]] std::string app_log_path(const std::string& pod_path, const std::string& app);

struct LogQuery {
  int lines = 0;         // the last N records when > 0
  int64_t since_ns = 0;  // only records at or after, when > 0
  int64_t until_ns = 0;  // only records at or before, when > 0
};

// Records of `apps` (rotated file first), merged by time, filtered by `q`. `limits`, when
// given (one per app, -1 for none), stops reading each current file at that offset: where
// a LogTail started, so that a followed log repeats and loses no line.
[[nodiscard]] std::vector<LogRecord> read_logs(const std::string& pod_path,
                                               const std::vector<std::string>& apps,
                                               const LogQuery& q,
                                               const std::vector<off_t>& limits = {});

// Follows one app's log from its current end, across rotations.
class LogTail {
 public:
  LogTail(std::string path, std::string app);
  // Complete lines written since the last call.
  [[nodiscard]] std::vector<LogRecord> poll();
  // Where following started in the current file (-1 when it did not exist yet).
  [[nodiscard]] off_t start() const noexcept { return start_; }

 private:
  void drain(std::vector<LogRecord>& out);
  std::string path_;
  std::string app_;
  UniqueFd fd_;
  ino_t ino_ = 0;
  off_t start_ = -1;
  std::string partial_;
};

}  // namespace pod::api
