// The control protocol of a mutable pod (`pod app ...`, Documentation/app.md): the stage1
// app entrypoints reach pod init over a unix stream socket, one request a connection.
// Request and reply are one JSON object each, a line ending in '\n':
//   {"op": "add"|"start"|"stop"|"rm", "app": NAME[, "manifest": POD MANIFEST TEXT]}
//   {"ok": true} or {"ok": false, "error": TEXT}
// "add" carries the pod manifest that names the new app (stage0 wrote it to the pod
// directory under the pod's app lock); "stop" and "rm" answer once the app has exited.
// Only the transport is flavor-specific (nspawn binds the socket's directory from the pod
// directory; another flavor may forward it), so pod init and the client stay shared.
#pragma once

#include <optional>
#include <string>

#include "common/fd.hpp"

namespace pod::stage1::init {

struct ControlRequest {
  std::string op;
  std::string app;
  std::string manifest;  // "add" only
};

struct ControlReply {
  bool ok = true;
  std::string error;
};

[[nodiscard]] std::string format_request(const ControlRequest& r);
// Throws Error naming what is wrong with the text.
[[nodiscard]] ControlRequest parse_request(const std::string& line);
[[nodiscard]] std::string format_reply(const ControlReply& r);
[[nodiscard]] ControlReply parse_reply(const std::string& line);

// A listening socket at `path` (an old socket file there is replaced), non-blocking, for
// pod init's event loop.
[[nodiscard]] UniqueFd listen_control(const std::string& path);
// Reads one line from a connected socket, waiting at most timeout_ms; nullopt on EOF or
// time-out before a whole line.
[[nodiscard]] std::optional<std::string> read_line(int fd, int timeout_ms);
// Writes all of `text`; false when the peer is gone.
bool write_text(int fd, const std::string& text);

// The client side: connects to `path`, relative to `dirfd` (short unix socket paths).
// Throws Error naming the socket and what to do when the pod does not answer.
[[nodiscard]] UniqueFd connect_control(int dirfd, const std::string& path);
// Sends the request on a connected socket and waits for the reply (timeout_ms, < 0: none).
[[nodiscard]] ControlReply exchange(int fd, const ControlRequest& r, int timeout_ms);

}  // namespace pod::stage1::init
