// Where pod-metadata-service listens: the sockets systemd handed over (LISTEN_FDS: unix
// stream sockets register pods, TCP sockets serve apps), and for a kind systemd did not
// hand over, a socket of its own from the command line.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "mds/server.hpp"

namespace pod::mds {

struct ServiceOptions {
  uint16_t port = kDefaultPort;
  std::string socket;  // registration socket path
  bool debug = false;
};

// Throws UsageError naming the bad argument; "--help" throws HelpRequested-like UsageError.
[[nodiscard]] ServiceOptions parse_service_options(int argc, char** argv);
[[nodiscard]] const char* service_usage();

// A unix socket file this process created, removed when the service ends.
class SocketFile {
 public:
  SocketFile() = default;
  explicit SocketFile(std::string path) : path_(std::move(path)) {}
  SocketFile(SocketFile&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  SocketFile& operator=(SocketFile&&) = delete;
  SocketFile(const SocketFile&) = delete;
  ~SocketFile();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Fills `out` from LISTEN_FDS and the options; returns the socket file to remove at exit.
[[nodiscard]] SocketFile open_listeners(const ServiceOptions& o, Listeners& out, const Logger& log);

}  // namespace pod::mds
