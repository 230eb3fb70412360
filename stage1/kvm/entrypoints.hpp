// The stage1-kvm entrypoints (Documentation/stage1-abi.md, Documentation/kvm.md).
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::kvm {

[[nodiscard]] int run_pod(const std::vector<std::string>& args);
[[nodiscard]] int enter_pod(const std::vector<std::string>& args);
[[nodiscard]] int stop_pod(const std::vector<std::string>& args);
[[nodiscard]] int gc_pod(const std::vector<std::string>& args);

// The multi-call binary's main: dispatches on argv[0]'s name or the first argument.
[[nodiscard]] int kvm_main(const std::vector<std::string>& argv);

}  // namespace pod::stage1::kvm
