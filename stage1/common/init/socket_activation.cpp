#include "stage1/common/init/socket_activation.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "common/strings.hpp"

namespace pod::stage1::init {
namespace {

constexpr int kListenFdsStart = 3;  // SD_LISTEN_FDS_START

bool has_socket_activated(const SocketAppPorts& a) {
  for (const auto& p : a.ports)
    if (p.socket_activated) return true;
  return false;
}

bool declares(const SocketAppPorts& a, uint16_t port) {
  for (const auto& p : a.ports) {
    if (!p.socket_activated) continue;
    const uint32_t first = p.port;
    const uint32_t last = first + (p.count == 0 ? 1 : p.count) - 1;
    if (port >= first && port <= last) return true;
  }
  return false;
}

std::optional<long> env_number(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  long n = 0;
  std::string_view s(v);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

std::optional<uint16_t> bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  return std::nullopt;
}

}  // namespace

SocketAssignment assign_sockets(const std::vector<SocketAppPorts>& apps,
                                const std::vector<std::optional<uint16_t>>& local_ports) {
  SocketAssignment out;
  std::vector<const SocketAppPorts*> takers;
  for (const auto& a : apps)
    if (has_socket_activated(a)) takers.push_back(&a);
  for (size_t i = 0; i < local_ports.size(); ++i) {
    const SocketAppPorts* to = nullptr;
    if (takers.size() == 1) {
      to = takers.front();
    } else if (local_ports[i]) {
      for (const auto* a : takers) {
        if (declares(*a, *local_ports[i])) {
          to = a;
          break;
        }
      }
    }
    if (to != nullptr) out.by_app[to->app].push_back(i);
    else out.unassigned.push_back(i);
  }
  return out;
}

std::vector<ListenSocket> take_listen_sockets(const Logger& log) {
  std::vector<ListenSocket> out;
  const auto pid = env_number("LISTEN_PID");
  const auto n = env_number("LISTEN_FDS");
  const char* names_env = std::getenv("LISTEN_FDNAMES");
  const std::vector<std::string> names = names_env ? split(names_env, ':') : std::vector<std::string>{};
  const bool ours = pid && n && *n > 0 && (*pid == getpid() || *pid == 1);
  for (const char* var : {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"}) (void)unsetenv(var);
  if (!ours) return out;
  for (long i = 0; i < *n; ++i) {
    const int fd = kListenFdsStart + static_cast<int>(i);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
      log.warn("socket activation: fd " + std::to_string(fd) + " of LISTEN_FDS=" + std::to_string(*n) +
               " is not open; the rest are ignored");
      break;
    }
    ListenSocket s;
    s.fd.reset(fd);
    s.name = static_cast<size_t>(i) < names.size() && !names[static_cast<size_t>(i)].empty()
                 ? names[static_cast<size_t>(i)]
                 : "unknown";
    s.local_port = bound_port(fd);
    out.push_back(std::move(s));
  }
  return out;
}

std::string listen_fdnames(const std::vector<const ListenSocket*>& sockets) {
  std::string out;
  for (const auto* s : sockets) {
    if (!out.empty()) out += ':';
    out += s->name;
  }
  return out;
}

}  // namespace pod::stage1::init
