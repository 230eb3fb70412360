// systemd-nspawn's process, forked before the pod's set-up is done. Joining the pod's host
// cgroups is the first cgroup migration of the run, and the kernel makes it wait for an
// RCU grace period (6-20 ms on the 2-core build machine, Documentation/perf.md): forked
// early, the child pays it while run sets up the network, the launcher flags and the rest.
// The child executes nspawn once run sends the command line; it exits without doing
// anything when run gives up (the pipe closes empty) or dies (PR_SET_PDEATHSIG).
#pragma once

#include <signal.h>

#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/process.hpp"

namespace pod::stage1::nspawn {

struct PendingNspawn {
  ChildProcess process;  // killed and reaped when dropped before start_nspawn
  UniqueFd command;      // write end: the NUL-separated command line
};

// Forks the child: it dies with run, takes the signal mask `original` and default
// dispositions back, keeps the pod's lock and stage0's mount namespace fd from nspawn,
// joins `cgroups` and sets NOTIFY_SOCKET=`notify_socket`; then it waits for its command.
[[nodiscard]] PendingNspawn fork_nspawn(const std::vector<std::string>& cgroups, const std::string& notify_socket,
                                        const sigset_t& original);

// Sends the command line (argv[0] the binary): the child executes it. Returns its pid.
pid_t start_nspawn(PendingNspawn& pending, const std::vector<std::string>& argv);

}  // namespace pod::stage1::nspawn
