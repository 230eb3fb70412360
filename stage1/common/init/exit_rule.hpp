// rkt's rule for a pod of several apps (its stage1 gave each app OnFailure=halt.target and
// ended the pod when the last app's reaper stopped): an app that exits with 0 lets the
// others run on and the pod ends with its last app; an app that fails stops every other
// one. The pod's status is that of the first app that failed, 0 when all succeeded. An
// app pod init itself stopped (SIGTERM, then SIGKILL) because another one failed is not a
// failure of its own; when the stop came from outside (`pod stop`, SIGTERM to `pod run`),
// every app was stopped and their statuses count.
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::init {

struct AppExit {
  std::string app;
  int code = 0;          // exit status, 128+N for signal N
  bool stopped = false;  // pod init had signalled it before it ended
  int signal = 0;        // the signal that killed it, 0 when it exited
  bool launch_failed = false;  // the launcher could not start it (the pod's failure)
};

// What the pod ended with: an app that could not be started makes it a failure of pod's
// own (exit 254), whatever the other apps did.
struct PodResult {
  int code = 0;
  int signal = 0;  // the deciding app died of this signal (pod run dies of it too)
  bool failed = false;
};

[[nodiscard]] PodResult pod_result(const std::vector<AppExit>& in_exit_order, bool stopped_from_outside);
[[nodiscard]] int pod_exit_code(const std::vector<AppExit>& in_exit_order, bool stopped_from_outside);

// The text of /rkt/init/pod-result ("exit N", "signal N", "failed"), read by the run
// entrypoint once the sandbox is gone, and back.
[[nodiscard]] std::string result_text(const PodResult& r);
[[nodiscard]] PodResult parse_result(const std::string& text);

}  // namespace pod::stage1::init
