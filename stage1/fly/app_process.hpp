// Starting a process of the app (its main process, or an event handler) through the
// stage2 launcher, and waiting for it while forwarding signals.
#pragma once

#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/common/supervisor.hpp"

namespace pod::stage1::fly {

struct AppLaunch {
  std::string app;
  std::vector<std::string> launcher_flags;  // --disable-seccomp ...
  bool interactive = false;
  std::vector<std::string> command;  // empty: the app's own exec; else replaces it
};

struct AppResult {
  int wait_status = 0;
  // The launcher could not start the program (missing, not executable, bad user...): a
  // failure of the pod, not an exit status of the app.
  bool launch_failed = false;
};

// Forks; the child (which dies with us: PR_SET_PDEATHSIG) executes the launcher. Returns
// the raw wait status. `forwarder` must have been created before the call.
[[nodiscard]] AppResult run_app_process(const PodLayout& pod, const AppLaunch& launch,
                                  const SignalForwarder& forwarder, const Logger& log);

}  // namespace pod::stage1::fly
