// The apps' output in the host's journal, when journald is reachable: each log record is
// one datagram of journald's native protocol (systemd's "Native Journal Protocol") to the
// host's /run/systemd/journal/socket, which the run entrypoint binds into the pod at
// kJournalSocketInPod. Fields: MESSAGE, SYSLOG_IDENTIFIER=<app>, PRIORITY (6 stdout, 3
// stderr), POD_UUID, POD_APP. Never blocks pod init: a full queue drops the record (the
// log files keep it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/fd.hpp"

namespace pod::stage1::init {

inline constexpr const char* kJournalSocketInPod = "/run/pod/journal-socket";

// One datagram: "NAME=value\n" fields; a value with a newline uses the binary form
// (NAME\n, 64-bit little-endian length, value, \n).
[[nodiscard]] std::string journal_entry(std::string_view app, bool is_stderr, std::string_view uuid,
                                        std::string_view message);

class JournalSink {
 public:
  // None when `path` is no socket journald listens on.
  [[nodiscard]] static std::optional<JournalSink> open(const std::string& path, std::string uuid);
  void send(std::string_view app, bool is_stderr, std::string_view message) const;

 private:
  JournalSink(UniqueFd fd, std::string uuid) : fd_(std::move(fd)), uuid_(std::move(uuid)) {}
  UniqueFd fd_;
  std::string uuid_;
};

}  // namespace pod::stage1::init
