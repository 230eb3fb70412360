#include "mds/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "common/error.hpp"
#include "mds/client/protocol.hpp"

namespace pod::mds {

namespace {

using Clock = std::chrono::steady_clock;
// A client has this long to send its request and take the answer.
constexpr auto kConnectionDeadline = std::chrono::seconds(10);
constexpr size_t kMaxConnections = 1024;
constexpr size_t kMaxRegistrationLine = 64 * 1024;

std::string peer_address(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    return buf;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    std::string s = buf;
    // An IPv4 pod reaching a dual-stack socket.
    if (s.rfind("::ffff:", 0) == 0 && s.find('.') != std::string::npos) s = s.substr(7);
    return s;
  }
  return {};
}

}  // namespace

struct Server::Connection {
  UniqueFd fd;
  bool registration = false;
  std::string peer;
  RequestParser parser;
  std::string line;  // registration request so far
  std::string out;   // reply not yet written
  bool responding = false;
  Clock::time_point deadline;
};

Server::Server(Listeners listeners, const Logger& log, PodProbe probe)
    : listeners_(std::move(listeners)), log_(log), probe_(probe) {
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) throw_errno("creating an epoll instance");
  timer_ = UniqueFd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!timer_) throw_errno("creating a timerfd");
  itimerspec every_second{{1, 0}, {1, 0}};
  check_sys(::timerfd_settime(timer_.get(), 0, &every_second, nullptr), "arming the timerfd");
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  signals_ = UniqueFd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_) throw_errno("creating a signalfd");
  auto watch = [&](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    check_sys(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev), "watching a socket");
  };
  for (const auto& l : listeners_.http) watch(l.get());
  for (const auto& l : listeners_.registration) watch(l.get());
  watch(timer_.get());
  watch(signals_.get());
}

Server::~Server() = default;

void Server::run() {
  epoll_event events[64];
  for (;;) {
    int n = ::epoll_wait(epoll_.get(), events, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("waiting for events (epoll_wait)");
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == signals_.get()) {
        log_.info("metadata service: stopping (" + std::to_string(registry_.size()) + " pods registered)");
        return;
      }
      if (fd == timer_.get()) {
        uint64_t expirations = 0;
        (void)!::read(fd, &expirations, sizeof expirations);
        tick();
        continue;
      }
      bool handled = false;
      for (const auto& l : listeners_.http)
        if (l.get() == fd) accept_on(fd, false), handled = true;
      for (const auto& l : listeners_.registration)
        if (l.get() == fd) accept_on(fd, true), handled = true;
      if (handled) continue;
      auto c = connections_.find(fd);
      if (c == connections_.end()) continue;
      if (events[i].events & (EPOLLERR | EPOLLHUP) && !(events[i].events & EPOLLIN)) {
        close(fd);
        continue;
      }
      if (events[i].events & EPOLLIN && !c->second->responding) on_readable(*c->second);
      else if (events[i].events & EPOLLOUT) on_writable(*c->second);
    }
  }
}

void Server::accept_on(int listener, bool registration) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        log_.warn("metadata service: accepting a connection: " + std::string(std::strerror(errno)));
      return;
    }
    auto c = std::make_unique<Connection>();
    c->fd = UniqueFd(fd);
    if (connections_.size() >= kMaxConnections) continue;  // closed by c's destructor
    c->registration = registration;
    c->peer = registration ? std::string() : peer_address(ss);
    c->deadline = Clock::now() + kConnectionDeadline;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) continue;
    connections_[fd] = std::move(c);
  }
}

std::string Server::handle_registration(Connection& c, const std::string& line) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(c.fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
      (cred.uid != 0 && cred.uid != ::geteuid()))
    return encode_refusal("only root (or the service's own user) may register pods");
  try {
    RegisterRequest r = decode_request(line);
    const RegisteredPod& p = registry_.add(r);
    log_.info("metadata service: registered pod " + p.uuid + " (" + r.data_dir + ")");
    return encode_reply({p.token, listeners_.port});
  } catch (const Error& e) {
    return encode_refusal(e.what());
  }
}

void Server::on_readable(Connection& c) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      close(c.fd.get());
      return;
    }
    std::string_view bytes(buf, static_cast<size_t>(n));
    if (c.registration) {
      c.line.append(bytes);
      size_t nl = c.line.find('\n');
      if (nl != std::string::npos) return respond(c, handle_registration(c, c.line.substr(0, nl)));
      if (c.line.size() > kMaxRegistrationLine) return respond(c, encode_refusal("request too long"));
      continue;
    }
    switch (c.parser.feed(bytes)) {
      case RequestParser::State::more:
        continue;
      case RequestParser::State::bad:
        return respond(c, serialize({c.parser.error_status(), "text/plain; charset=us-ascii", c.parser.error() + "\n"}));
      case RequestParser::State::done: {
        HttpResponse r = route(c.parser.request(), c.peer, registry_, probe_);
        log_.debug("metadata service: " + c.peer + " " + c.parser.request().method + " " +
                   std::to_string(r.status));
        return respond(c, serialize(r));
      }
    }
  }
}

void Server::respond(Connection& c, std::string bytes) {
  c.out = std::move(bytes);
  c.responding = true;
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.fd = c.fd.get();
  (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
  on_writable(c);
}

void Server::on_writable(Connection& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) break;
    c.out.erase(0, static_cast<size_t>(n));
  }
  // The whole reply is out (or the client is gone): Connection: close.
  ::shutdown(c.fd.get(), SHUT_WR);
  close(c.fd.get());
}

void Server::close(int fd) {
  (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections_.erase(fd);
}

void Server::tick() {
  for (const auto& uuid : registry_.sweep([&](const RegisteredPod& p) { return probe_.running(p.dir()); }))
    log_.info("metadata service: pod " + uuid + " has exited; unregistered");
  auto now = Clock::now();
  std::vector<int> stale;
  for (const auto& [fd, c] : connections_)
    if (c->deadline < now) stale.push_back(fd);
  for (int fd : stale) close(fd);
}

}  // namespace pod::mds
