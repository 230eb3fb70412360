#include "stage1/common/entrypoint_main.hpp"
#include "stage1/fly/entrypoints.hpp"

namespace pod::stage1::fly {

// As rkt's stage1: every failure of stage1 itself is 254, which is also `pod run`'s
// status then (stage1 replaced it), distinct from any status of the app.
int fly_main(const std::vector<std::string>& argv) {
  return entrypoint_main(argv, FlavorEntrypoints{"fly", run_pod, enter_pod, stop_pod, gc_pod,
                                                 /*usage_status=*/254, /*run_failure_status=*/254,
                                                 /*other_failure_status=*/254});
}

}  // namespace pod::stage1::fly
