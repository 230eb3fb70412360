// pod-metadata-service's event loop: one thread, epoll over the listening sockets (TCP for
// apps, unix for registration), the connections, a once-a-second timer that unregisters
// pods that are gone and drops connections that stall, and SIGTERM/SIGINT.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/log.hpp"
#include "mds/http.hpp"
#include "mds/registry.hpp"
#include "mds/routes.hpp"

namespace pod::mds {

struct Listeners {
  std::vector<UniqueFd> http;          // TCP, apps' requests
  std::vector<UniqueFd> registration;  // unix stream, `pod run --mds-register`
  uint16_t port = 0;                   // the apps' port, told to registering pods
};

class Server {
 public:
  Server(Listeners listeners, const Logger& log, PodProbe probe = real_probe());
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Serves until SIGTERM or SIGINT (blocked by the caller beforehand).
  void run();

 private:
  struct Connection;
  void accept_on(int listener, bool registration);
  void on_readable(Connection& c);
  void on_writable(Connection& c);
  void respond(Connection& c, std::string bytes);
  void close(int fd);
  void tick();
  [[nodiscard]] std::string handle_registration(Connection& c, const std::string& line);

  Listeners listeners_;
  const Logger& log_;
  PodProbe probe_;
  Registry registry_;
  UniqueFd epoll_;
  UniqueFd timer_;
  UniqueFd signals_;
  std::map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace pod::mds
