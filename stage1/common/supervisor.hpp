// Forwarding signals to the app and reaping it. The signals are blocked before the
// fork and taken with sigwaitinfo(2), so none is lost between fork and wait and no
// async handler runs; the child gets the original mask back before it execs.
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace pod::stage1 {

class SignalForwarder {
 public:
  // Blocks SIGCHLD and the forwarded signals (TERM INT HUP QUIT USR1 USR2).
  SignalForwarder();
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;

  // For the child, between fork and exec: the mask and dispositions it should have.
  void restore_in_child() const noexcept;

  // Waits for `child` to end, passing every forwarded signal on to it, and reaping any
  // other child that ends meanwhile. Returns the child's raw wait status.
  [[nodiscard]] int wait_forwarding(pid_t child) const;

 private:
  sigset_t forwarded_{};
  sigset_t original_{};
};

}  // namespace pod::stage1
