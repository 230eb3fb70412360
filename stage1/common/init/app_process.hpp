// Starting one app (or one of its event handlers) through the stage2 launcher: its own
// cgroups joined before exec, stdout/stderr to pipes pod init reads (or the pod's own
// terminal for an interactive pod), every signal back to default.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/fd.hpp"

namespace pod::stage1::init {

struct LaunchSpec {
  std::string launcher;
  std::vector<std::string> args;          // the launcher's arguments
  std::vector<std::string> cgroup_procs;  // cgroup.procs files to join
  bool inherit_stdio = false;             // interactive: the pod's stdin/stdout/stderr
  bool give_stdin = false;                // non-interactive: the pod's stdin, else /dev/null
  std::vector<int> listen_fds;            // socket activation: placed at fds 3.. in the app
};

struct Launched {
  pid_t pid = -1;
  // Readable (one byte) when the launcher could not start the program: the pod's
  // failure, not the app's exit status (stage2's --launch-error-fd).
  UniqueFd launch_error;
  UniqueFd out;  // read ends of the app's stdout and stderr (invalid with inherit_stdio)
  UniqueFd err;
};

// `original_mask` is the signal mask the app gets (pod init blocks its own signals).
[[nodiscard]] Launched launch(const LaunchSpec& spec, const sigset_t& original_mask);

// The launcher's arguments for `app` (Documentation/stage2.md). `command` non-empty:
// --replace-exec with it (event handlers, enter).
[[nodiscard]] std::vector<std::string> launcher_args(const std::string& pod_manifest,
                                                     const std::string& image_manifest,
                                                     const std::string& app, const std::string& rootfs,
                                                     const std::vector<std::string>& flags,
                                                     const std::vector<std::string>& command);

}  // namespace pod::stage1::init
