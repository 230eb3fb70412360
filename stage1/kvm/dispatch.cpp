#include "stage1/common/entrypoint_main.hpp"
#include "stage1/kvm/entrypoints.hpp"

namespace pod::stage1::kvm {

int kvm_main(const std::vector<std::string>& argv) {
  return entrypoint_main(argv, FlavorEntrypoints{"kvm", run_pod, enter_pod, stop_pod, gc_pod,
                                                 /*usage_status=*/2, /*run_failure_status=*/254,
                                                 /*other_failure_status=*/1});
}

}  // namespace pod::stage1::kvm
