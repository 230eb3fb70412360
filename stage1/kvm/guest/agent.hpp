// The guest's PID 1 once pod init runs: it reaps every orphan, answers the host's
// control requests (stop, kill, enter: control_protocol.hpp) and returns when pod init
// has ended, so that the VM can be powered off.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>

#include "common/fd.hpp"
#include "stage1/kvm/control_protocol.hpp"

namespace pod::stage1::kvm::guest {

class Agent {
 public:
  // `control`: the virtio-serial port (may be invalid: no control channel); SIGCHLD is
  // blocked by the caller (`original` is the mask for children).
  // `notify`: the datagram socket of pod init's NOTIFY_SOCKET; its READY=1 (every app
  // started) makes the agent write kGuestReady, which tells the host the pod runs.
  Agent(pid_t pod_init, UniqueFd control, UniqueFd notify, const sigset_t& original);
  // Runs until pod init has exited; returns its wait status.
  int run();

 private:
  void on_request(const ControlRequest& r);
  void start_enter(const ControlRequest& r);
  void reap();
  void pump(UniqueFd& fd, FrameType type);
  void send(FrameType type, std::string_view data);
  void finish_enter_if_done();

  pid_t init_;
  UniqueFd control_;
  UniqueFd notify_;
  sigset_t original_;
  UniqueFd signals_;
  std::string requests_;  // bytes of a request line not yet complete
  bool init_done_ = false;
  int init_status_ = 0;
  pid_t enter_ = -1;      // the running enter command
  bool enter_reaped_ = false;
  int enter_status_ = 0;
  UniqueFd enter_out_, enter_err_;
};

}  // namespace pod::stage1::kvm::guest
