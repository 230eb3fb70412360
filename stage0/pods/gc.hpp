// Collecting pods (rkt's gc): exited pods are marked (moved to exited-garbage) and
// removed once the grace period has passed since; aborted and expired preparations go to
// garbage and are removed at once. A running pod is never touched: only a pod whose lock
// we obtain is moved or removed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage0/pods/pod.hpp"

namespace pod::pods {

struct GcOptions {
  std::chrono::milliseconds grace_period = std::chrono::minutes(30);
  std::chrono::milliseconds expire_prepared = std::chrono::hours(24);
  bool mark_only = false;
};

struct GcReport {
  std::vector<std::string> marked;   // moved to exited-garbage or garbage
  std::vector<std::string> removed;  // gone (only those this process removed: with many
                                     // pods, worker processes remove them and say so on stderr)
  std::vector<std::string> failed;   // "uuid: why"; they are retried by the next gc
};

[[nodiscard]] GcReport gc_pods(const std::string& data_dir, const GcOptions& opts,
                               const Logger& log);

// Removes a pod we hold locked: stage1's gc entrypoint first when the pod ever ran (it
// releases what stage1 set up outside the directory), then any mount left below it,
// then the directory. `mount_points`: mounts under the pods root from one read of
// mountinfo (nullptr: read it now).
void discard_pod(Pod& pod, const Logger& log, const std::vector<std::string>* mount_points = nullptr);

}  // namespace pod::pods
