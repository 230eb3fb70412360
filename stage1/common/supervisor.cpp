#include "stage1/common/supervisor.hpp"

#include <sys/wait.h>

#include <cerrno>

#include "common/error.hpp"

namespace pod::stage1 {
namespace {
constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
}

SignalForwarder::SignalForwarder() {
  sigemptyset(&forwarded_);
  for (int sig : kForwarded) sigaddset(&forwarded_, sig);
  sigaddset(&forwarded_, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &forwarded_, &original_) != 0) throw_errno("blocking signals");
}

SignalForwarder::~SignalForwarder() { (void)sigprocmask(SIG_SETMASK, &original_, nullptr); }  // best effort on the way out

void SignalForwarder::restore_in_child() const noexcept {
  for (int sig : kForwarded) signal(sig, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  (void)sigprocmask(SIG_SETMASK, &original_, nullptr);  // cannot fail with a valid set
}

int SignalForwarder::wait_forwarding(pid_t child) const {
  for (;;) {
    siginfo_t info{};
    int sig = sigwaitinfo(&forwarded_, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      throw_errno("waiting for signals");
    }
    if (sig != SIGCHLD) {
      (void)kill(child, sig);  // ESRCH: it is exiting; its SIGCHLD follows
      continue;
    }
    for (;;) {
      int status = 0;
      pid_t done = waitpid(-1, &status, WNOHANG);
      if (done == child) return status;
      if (done <= 0) break;  // other children (reparented orphans) are just reaped
    }
  }
}

}  // namespace pod::stage1
