// Socket activation through systemd-nspawn: nspawn passes the sockets of LISTEN_FDS on to
// the container's PID 1 (pod init, with LISTEN_PID=1) only when LISTEN_PID names nspawn
// itself. `pod run` got them for its own pid and nspawn is its child, so nspawn is started
// through env(1) with LISTEN_PID set to the child's pid (env execs nspawn in the same
// process). LISTEN_FDNAMES reaches pod init through nspawn's --setenv.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace pod::stage1::nspawn {

struct PassedSockets {
  long count = 0;
  std::string fdnames;  // LISTEN_FDNAMES, may be empty
};

// The sockets passed to this process: LISTEN_FDS > 0 with LISTEN_PID == `self`.
[[nodiscard]] std::optional<PassedSockets> passed_sockets(const char* listen_fds, const char* listen_pid,
                                                          const char* listen_fdnames, pid_t self);

// The command nspawn's `argv` becomes so that nspawn, running as pid `nspawn_pid`, takes
// the sockets.
[[nodiscard]] std::vector<std::string> with_listen_pid(const std::vector<std::string>& argv, pid_t nspawn_pid);

}  // namespace pod::stage1::nspawn
