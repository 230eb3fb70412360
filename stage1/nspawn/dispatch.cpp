#include "stage1/common/entrypoint_main.hpp"
#include "stage1/nspawn/entrypoints.hpp"

namespace pod::stage1::nspawn {

int nspawn_main(const std::vector<std::string>& argv) {
  return entrypoint_main(argv, FlavorEntrypoints{"nspawn", run_pod, enter_pod, stop_pod, gc_pod,
                                                 /*usage_status=*/2, /*run_failure_status=*/254,
                                                 /*other_failure_status=*/1},
                         AppEntrypoints{app_add_pod, app_start_pod, app_stop_pod, app_rm_pod});
}

}  // namespace pod::stage1::nspawn
