// The host's end of the control channel (control_protocol.hpp): qemu listens on the
// unix socket kControlSocket in the pod directory and carries the bytes to the guest.
#pragma once

#include <string>

#include "stage1/kvm/control_protocol.hpp"

namespace pod::stage1::kvm {

// Sends R and relays the answer's output frames to OUT_FD and ERR_FD; returns the exit
// frame's status. Throws Error when the socket cannot be reached (no VM running) or the
// channel ends before the exit frame. qemu serves one connection at a time: a second
// caller waits in the socket's backlog until the first is done.
[[nodiscard]] int control_request(const std::string& socket_path, const ControlRequest& r, int out_fd, int err_fd);

}  // namespace pod::stage1::kvm
