#include "stage1/kvm/qemu_process.hpp"

#include "common/fs.hpp"
#include "stage1/kvm/layout.hpp"

namespace pod::stage1::kvm {

bool is_pod_qemu(int pid, const std::string& pod_dir) {
  try {
    const std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    return cmdline.find(pod_dir + "/" + kControlSocket) != std::string::npos;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace pod::stage1::kvm
