// Signalling a pod's main process from the stop entrypoint of any flavor: the pid file
// names it, a pidfd pins it, and the flavor's own check says the process really is the
// pod's before anything is sent.
#pragma once

#include <functional>
#include <string>

#include "stage1/common/pod_layout.hpp"

namespace pod::stage1 {

struct PodSignal {
  std::string flavor;  // for messages: "stage1-fly", "stage1-nspawn"
  std::string uuid;
  int signal = 0;
  // True when `pid` is this pod's main process (not a process that reused its pid).
  std::function<bool(int pid)> is_pods;
};

// Sends the signal; a pod with no pid file or whose process is gone is not an error
// (said on stderr, returns normally). Throws for a malformed pid file or a refused signal.
void signal_pod(const PodLayout& pod, const PodSignal& what);

}  // namespace pod::stage1
