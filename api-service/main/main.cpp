// pod-api-service: the process `pod api-service` execs, so that the `pod` binary itself
// never loads gRPC and protobuf (they would cost every pod command their start-up time).
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <grpcpp/grpcpp.h>
#include <memory>
#include <thread>
#include <vector>

#include "api-service/options.hpp"
#include "api-service/service.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"

namespace {

using pod::api::Options;

// Exit status for any failure of the service itself, as for every pod command (rkt's).
constexpr int kFailure = 254;
constexpr auto kShutdownGrace = std::chrono::seconds(5);

// Hands connections accepted on systemd's listening sockets to gRPC.
class SocketActivation {
 public:
  SocketActivation(std::vector<int> fds,
                   std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor)
      : fds_(std::move(fds)), acceptor_(std::move(acceptor)),
        stop_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!stop_) pod::throw_errno("creating an eventfd");
  }
  SocketActivation(const SocketActivation&) = delete;
  SocketActivation& operator=(const SocketActivation&) = delete;
  ~SocketActivation() { stop(); }

  void start() { thread_ = std::thread([this] { run(); }); }
  void stop() {
    uint64_t one = 1;
    (void)::write(stop_.get(), &one, sizeof one);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::vector<pollfd> pfds;
    for (int fd : fds_) pfds.push_back({fd, POLLIN, 0});
    pfds.push_back({stop_.get(), POLLIN, 0});
    for (;;) {
      int n = ::poll(pfds.data(), pfds.size(), -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (pfds.back().revents & POLLIN)) return;
      for (size_t i = 0; i + 1 < pfds.size(); ++i) {
        if (!(pfds[i].revents & POLLIN)) continue;
        int conn = ::accept4(pfds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) continue;  // the client went away already
        grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
        p.listener_fd = pfds[i].fd;
        p.fd = conn;  // gRPC owns it from here
        acceptor_->HandleNewConnection(&p);
      }
    }
  }

  std::vector<int> fds_;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  pod::UniqueFd stop_;
  std::thread thread_;
};

int serve(const Options& opts) {
  pod::api::Service service(opts.service);
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  auto creds = grpc::InsecureServerCredentials();

  std::vector<int> activated;
  int n = sd_listen_fds(1);
  if (n < 0) pod::throw_errno("reading systemd's LISTEN_FDS", -n);
  for (int i = 0; i < n; ++i) activated.push_back(SD_LISTEN_FDS_START + i);

  std::unique_ptr<SocketActivation> activation;
  pod::api::ListenAddress addr;
  int port = 0;
  if (!activated.empty()) {
    if (opts.listen_given)
      std::fprintf(stderr, "pod api-service: started by socket activation: --listen=%s is ignored\n",
                   opts.listen.c_str());
    activation = std::make_unique<SocketActivation>(
        activated,
        builder.experimental().AddExternalConnectionAcceptor(
            grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD, creds));
  } else {
    addr = pod::api::parse_listen(opts.listen);
    if (!addr.loopback && !opts.allow_non_loopback)
      throw pod::UsageError("--listen=" + opts.listen + " is reachable from other machines", 0,
                            "the API has no authentication; add --allow-non-loopback if that is "
                            "what you want, or listen on 127.0.0.1 or a unix socket");
    if (!addr.loopback)
      std::fprintf(stderr,
                   "pod api-service: warning: listening on %s, reachable from other machines; "
                   "the API has no authentication\n",
                   opts.listen.c_str());
    if (addr.unix_socket) {
      struct stat st {};
      if (::lstat(addr.path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
        throw pod::Error(addr.path + " exists and is not a socket", 0,
                         "choose another path for --listen=unix:PATH");
    }
    builder.AddListeningPort(addr.grpc_uri(), creds, &port);
  }

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || (activated.empty() && !addr.unix_socket && port == 0))
    throw pod::Error("cannot listen on " + opts.listen, 0,
                     "is another service using the port? choose another with --listen");
  if (addr.unix_socket && ::chmod(addr.path.c_str(), opts.socket_mode) < 0)
    pod::throw_errno("setting the permissions of " + addr.path);
  if (activation) {
    activation->start();
    std::fprintf(stderr, "pod api-service: serving %zu socket(s) from systemd\n", activated.size());
  } else {
    std::string shown = addr.unix_socket ? addr.grpc_uri()
                                         : (addr.host.empty() ? "[::]" : addr.host) + ":" +
                                               std::to_string(port);
    std::fprintf(stderr, "pod api-service: listening on %s\n", shown.c_str());
  }
  sd_notify(0, "READY=1");

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  sd_notify(0, "STOPPING=1");
  service.stop();  // streams end within their tick
  if (activation) activation->stop();
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server->Wait();
  if (addr.unix_socket) ::unlink(addr.path.c_str());
  std::fprintf(stderr, "pod api-service: stopped (%s)\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Blocked before gRPC starts its threads, so that only sigwait() receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Options opts = pod::api::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (opts.help) {
      std::fputs(opts.help->c_str(), stdout);
      return 0;
    }
    return serve(opts);
  } catch (const pod::Error& e) {
    bool usage = dynamic_cast<const pod::UsageError*>(&e) != nullptr;
    std::fprintf(stderr, "pod api-service: %s%s\n", usage ? "" : "error: ", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "pod api-service: %s\n", e.hint().c_str());
    return kFailure;
  }
}
