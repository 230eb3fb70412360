// Recognising the pod's qemu among the host's processes, for stop and enter: the pid
// file names it, and its command line shares the pod directory.
#pragma once

#include <string>

namespace pod::stage1::kvm {

[[nodiscard]] bool is_pod_qemu(int pid, const std::string& pod_dir);

}  // namespace pod::stage1::kvm
