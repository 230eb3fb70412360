// stop: pod init is asked over the control channel to stop the apps (SIGTERM, then
// SIGKILL after its time-out); --force, or a VM whose channel does not answer, ends
// qemu itself (the guest's pod init dies with it).
#include <csignal>
#include <cstdio>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/common/pod_signal.hpp"
#include "stage1/kvm/control_client.hpp"
#include "stage1/kvm/entrypoints.hpp"
#include "stage1/kvm/layout.hpp"
#include "stage1/kvm/qemu_process.hpp"
#include "stage1/nspawn/options.hpp"

namespace pod::stage1::kvm {

int stop_pod(const std::vector<std::string>& args) {
  const auto o = nspawn::parse_stop_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  if (!o.force) {
    try {
      ControlRequest r;
      r.op = ControlRequest::Op::stop;
      (void)control_request(pod.dir() + "/" + kControlSocket, r, 1, 2);
      return 0;
    } catch (const Error& e) {
      std::fprintf(stderr, "stage1-kvm: stop: %s; ending the VM instead\n", e.what());
    }
  }
  signal_pod(pod, PodSignal{"stage1-kvm", o.uuid, o.force ? SIGKILL : SIGTERM,
                            [&](int pid) { return is_pod_qemu(pid, pod.dir()); }});
  return 0;
}

}  // namespace pod::stage1::kvm
