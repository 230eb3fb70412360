#include "mds/listeners.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::mds {

namespace {

UniqueFd unix_listener(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw UsageError("--socket " + path + ": the path is too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  make_dirs(parent_dir(path), 0755);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw_errno("creating a unix socket");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw Error(path + " exists and is not a socket", 0, "remove it or choose another --socket");
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      throw Error("another metadata service is listening on " + path, 0,
                  "stop it, or give this one another --socket (and POD_MDS_SOCKET to `pod run`)");
    ::unlink(path.c_str());  // left behind by a service that died
  }
  // Only root registers pods: the socket is created 0600 (umask would leave a window).
  mode_t old = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc < 0) throw_errno("binding the registration socket " + path);
  check_sys(::listen(fd.get(), 128), "listening on " + path);
  return fd;
}

UniqueFd tcp_listener(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw_errno("creating a TCP socket");
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  // Every address: pods reach the host at their network's gateway, whichever it is.
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    Error e("binding TCP port " + std::to_string(port) + " for the apps", errno);
    if (errno == EADDRINUSE) e.set_hint("another process uses it: choose another --listen-port");
    throw e;
  }
  check_sys(::listen(fd.get(), 512), "listening on TCP port " + std::to_string(port));
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

}  // namespace

SocketFile::~SocketFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

const char* service_usage() {
  return "usage: pod metadata-service [--listen-port=PORT] [--socket=PATH] [--debug]\n"
         "  --listen-port=PORT  TCP port the apps reach the service on (default 18112)\n"
         "  --socket=PATH       unix socket `pod run --mds-register` registers pods on\n"
         "                      (default $POD_MDS_SOCKET, else /run/pod/metadata-svc.sock)\n"
         "Sockets passed by systemd (LISTEN_FDS) are used instead: unix ones for registration,\n"
         "TCP ones for the apps.\n";
}

ServiceOptions parse_service_options(int argc, char** argv) {
  ServiceOptions o;
  o.socket = socket_path();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0) return a.substr(flag.size() + 1);
      if (a == flag && i + 1 < argc) return argv[++i];
      throw UsageError(flag + " needs a value");
    };
    if (a == "--debug") {
      o.debug = true;
    } else if (a.rfind("--listen-port", 0) == 0) {
      std::string v = value("--listen-port");
      unsigned p = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), p);
      if (ec != std::errc() || end != v.data() + v.size() || p == 0 || p > 65535)
        throw UsageError("--listen-port \"" + v + "\": expected a port number, 1-65535");
      o.port = static_cast<uint16_t>(p);
    } else if (a.rfind("--socket", 0) == 0) {
      o.socket = value("--socket");
      if (o.socket.empty() || o.socket.front() != '/') throw UsageError("--socket wants an absolute path");
    } else {
      throw UsageError("unknown argument \"" + a + "\"", 0, "see pod metadata-service --help");
    }
  }
  return o;
}

SocketFile open_listeners(const ServiceOptions& o, Listeners& out, const Logger& log) {
  int n = sd_listen_fds(1);
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + std::max(n, 0); ++fd) {
    if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) > 0) {
      out.registration.emplace_back(fd);
    } else if (sd_is_socket_inet(fd, 0, SOCK_STREAM, 1, 0) > 0) {
      if (!out.port) out.port = local_port(fd);
      out.http.emplace_back(fd);
    } else {
      log.warn("metadata service: ignoring passed fd " + std::to_string(fd) +
               ": neither a listening unix nor TCP stream socket");
      continue;
    }
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (out.http.empty()) {
    out.http.push_back(tcp_listener(o.port));
    out.port = o.port;
  }
  if (!out.registration.empty()) return SocketFile();
  out.registration.push_back(unix_listener(o.socket));
  return SocketFile(o.socket);
}

}  // namespace pod::mds
