// pod-metadata-service: the process `pod metadata-service` execs (Documentation/
// metadata-service.md), so that `pod` itself carries no server code.
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/log.hpp"
#include "mds/listeners.hpp"
#include "mds/server.hpp"

namespace {

constexpr int kFailure = 254;  // as every pod command

void print_error(const pod::Error& e) {
  std::fprintf(stderr, "pod-metadata-service: %s\n", e.what());
  if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(pod::mds::service_usage(), stdout);
      return 0;
    }
  try {
    auto options = pod::mds::parse_service_options(argc, argv);
    pod::Logger log(options.debug);
    // Taken by the server's signalfd; blocked before any socket exists.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);
    pod::mds::Listeners listeners;
    auto socket_file = pod::mds::open_listeners(options, listeners, log);
    const unsigned port = listeners.port;
    pod::mds::Server server(std::move(listeners), log);
    std::fprintf(stderr, "pod-metadata-service: apps on TCP port %u, registration on %s\n", port,
                 socket_file.path().empty() ? "the socket systemd passed" : socket_file.path().c_str());
    (void)sd_notify(0, "READY=1");
    server.run();
    return 0;
  } catch (const pod::UsageError& e) {
    print_error(e);
    std::fputs(pod::mds::service_usage(), stderr);
    return kFailure;
  } catch (const pod::Error& e) {
    print_error(e);
    return kFailure;
  }
}
