// The launcher's whole job, in order: manifests -> effective app -> process attributes
// that need privileges (oom_score_adj, rlimits) -> chroot -> user/group from the app's
// own /etc/passwd and /etc/group -> environment -> working directory -> [seccomp, when
// the filter allows what follows] -> capabilities bounding set -> no_new_privs ->
// uid/gid/groups -> remaining capabilities -> [seccomp otherwise] -> execve. Loading the
// filter while still privileged spares the app the no_new_privs the kernel demands of
// an unprivileged process that installs one.
#pragma once

#include "common/log.hpp"
#include "stage2/launcher_options.hpp"

namespace pod::stage2 {

// Returns only by throwing (Error, or ExecError with exit status 126/127).
[[noreturn]] void launch(const LauncherOptions& options, const Logger& log);

// Runs the launcher's command line; returns the exit status to exit with when the
// launch failed (1 set-up error, 2 usage, 126/127 exec failures), printing why.
[[nodiscard]] int launcher_main(const std::vector<std::string>& args);

}  // namespace pod::stage2
