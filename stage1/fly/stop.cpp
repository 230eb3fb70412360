// stop: SIGTERM (or SIGKILL) to the pod's stage1 process, which forwards it to the app.
#include <unistd.h>

#include <climits>
#include <csignal>
#include <string>

#include "stage1/common/pod_layout.hpp"
#include "stage1/common/pod_signal.hpp"
#include "stage1/fly/entrypoints.hpp"
#include "stage1/fly/options.hpp"

namespace pod::stage1::fly {
namespace {

bool runs_in(int pid, const std::string& dir) {
  char buf[PATH_MAX];
  std::string link = "/proc/" + std::to_string(pid) + "/cwd";
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n >= 0 && std::string(buf, static_cast<size_t>(n)) == dir;
}

}  // namespace

int stop_pod(const std::vector<std::string>& args) {
  const StopOptions o = parse_stop_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  signal_pod(pod, PodSignal{"stage1-fly", o.uuid, o.force ? SIGKILL : SIGTERM,
                            [&](int pid) { return runs_in(pid, pod.dir()); }});
  return 0;
}

}  // namespace pod::stage1::fly
