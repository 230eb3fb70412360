// enter: a command in a running app, run in the guest by its PID 1 through the stage2
// launcher (so the app's user, environment and restrictions apply), its output relayed
// over the control channel. No terminal and no stdin: the channel carries output only.
#include <unistd.h>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/kvm/control_client.hpp"
#include "stage1/kvm/entrypoints.hpp"
#include "stage1/kvm/layout.hpp"
#include "stage1/kvm/qemu_process.hpp"
#include "stage1/nspawn/options.hpp"

namespace pod::stage1::kvm {

int enter_pod(const std::vector<std::string>& args) {
  const auto o = nspawn::parse_enter_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  std::string app = o.app;
  if (app.empty()) {
    auto manifest = aci::PodManifest::parse(read_file(pod.pod_manifest()));
    if (manifest.apps.size() != 1) throw UsageError("this pod has several apps; give --appname");
    app = manifest.apps.front().name;
  }
  if (!is_pod_qemu(o.pid, pod.dir())) {
    Error err("process " + std::to_string(o.pid) + " is not the VM of pod " + pod.dir());
    err.set_hint("the pod is not running (any more)");
    throw err;
  }
  ControlRequest r;
  r.op = ControlRequest::Op::enter;
  r.app = app;
  r.argv = o.command;
  return with_context("pod " + pod.dir() + ": app " + app,
                      [&] { return control_request(pod.dir() + "/" + kControlSocket, r, STDOUT_FILENO, STDERR_FILENO); });
}

}  // namespace pod::stage1::kvm
