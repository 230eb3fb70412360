// stop: SIGTERM (SIGKILL with --force) to pod init, which stops every app (SIGTERM, then
// SIGKILL after its time-out); pod init's SIGKILL takes the whole pid namespace down.
#include <csignal>

#include "stage1/common/pod_layout.hpp"
#include "stage1/common/pod_signal.hpp"
#include "stage1/nspawn/entrypoints.hpp"
#include "stage1/nspawn/options.hpp"
#include "stage1/nspawn/pod_process.hpp"

namespace pod::stage1::nspawn {

int stop_pod(const std::vector<std::string>& args) {
  const StopOptions o = parse_stop_options(args);
  signal_pod(PodLayout::from_cwd(),
             PodSignal{"stage1-nspawn", o.uuid, o.force ? SIGKILL : SIGTERM,
                       [&](int pid) { return is_pod_init(pid, o.uuid); }});
  return 0;
}

}  // namespace pod::stage1::nspawn
