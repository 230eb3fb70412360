// Socket activation inside a pod (sd_listen_fds(3)): the sockets `pod run` was handed
// (LISTEN_FDS for its pid, passed on by systemd-nspawn to pod init as LISTEN_PID=1) go to
// the apps whose image declares `socketActivated` ports, as rkt's socket units did:
// - one such app: it gets every socket, in the order they came;
// - several: a socket goes to the app with a socket-activated port (range port..port+count-1)
//   equal to the socket's local port; the first such app in the pod's order wins;
// - a socket no app takes stays with pod init, unused (pod init says so).
// An app gets its sockets at fds 3.. with LISTEN_FDS, LISTEN_PID (its own pid, set by the
// stage2 launcher right before exec) and LISTEN_FDNAMES; apps without sockets get no
// LISTEN_* variables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"

namespace pod::stage1::init {

struct ListenSocket {
  UniqueFd fd;                        // close-on-exec in pod init
  std::string name;                   // from LISTEN_FDNAMES ("unknown" when not given)
  std::optional<uint16_t> local_port; // an AF_INET/AF_INET6 socket's bound port
};

struct SocketAppPorts {
  std::string app;
  std::vector<aci::Port> ports;  // the app's effective ports
};

struct SocketAssignment {
  std::map<std::string, std::vector<size_t>> by_app;  // app -> indices into the sockets
  std::vector<size_t> unassigned;
};

// Which app gets which socket (rules above). `local_ports[i]` is socket i's port.
[[nodiscard]] SocketAssignment assign_sockets(const std::vector<SocketAppPorts>& apps,
                                              const std::vector<std::optional<uint16_t>>& local_ports);

// The passed fds of this process (LISTEN_PID must be ours, or 1 under nspawn), made
// close-on-exec; LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES are removed from the
// environment. None when they are absent or not for us.
[[nodiscard]] std::vector<ListenSocket> take_listen_sockets(const Logger& log);

// LISTEN_FDNAMES's value for these sockets ("a:b").
[[nodiscard]] std::string listen_fdnames(const std::vector<const ListenSocket*>& sockets);

}  // namespace pod::stage1::init
