// The command line of pod-api-service (what `pod api-service` passes on): where to listen,
// and rkt's global flags, which say where the data and configuration are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api-service/service.hpp"
#include "common/error.hpp"

namespace pod::api {

inline constexpr const char* kDefaultListen = "127.0.0.1:15441";  // rkt's port

struct ListenAddress {
  bool unix_socket = false;
  std::string path;  // unix socket
  std::string host;  // TCP: as given ("127.0.0.1", "[::1]", "localhost", "" = every address)
  int port = 0;
  bool loopback = false;
  [[nodiscard]] std::string grpc_uri() const;  // what gRPC's AddListeningPort takes
};

// "ADDR:PORT" or "unix:PATH". Throws UsageError naming what is wrong.
[[nodiscard]] ListenAddress parse_listen(const std::string& text);

struct Options {
  ServiceConfig service;
  std::string listen = kDefaultListen;
  bool listen_given = false;
  bool allow_non_loopback = false;
  unsigned socket_mode = 0660;  // of a unix socket: who may connect
  bool debug = false;
  std::optional<std::string> help;  // --help: print this and exit 0
};

// Throws UsageError for unknown flags, stray arguments or bad values.
[[nodiscard]] Options parse_options(const std::vector<std::string>& args);

}  // namespace pod::api
