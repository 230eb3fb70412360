// gc: what the pod had outside its directory: its networks and its cgroups, with any
// qemu still in them (after a kill -9 of `pod run`).
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/host.hpp"
#include "stage1/common/net/pod_network.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/kvm/entrypoints.hpp"
#include "stage1/kvm/layout.hpp"
#include "stage1/nspawn/options.hpp"

namespace pod::stage1::kvm {

int gc_pod(const std::vector<std::string>& args) {
  const auto o = nspawn::parse_gc_options(args);
  const Logger log(o.debug);
  const PodLayout pod = PodLayout::from_cwd();
  int rc = 0;
  // The processes go first: a network is released once nothing uses it.
  const std::string file = pod.dir() + "/" + kCgroupsFile;
  if (path_exists(file)) {
    std::vector<std::string> dirs;
    for (const auto& line : split(read_file(file), '\n'))
      if (!line.empty() && starts_with(line, "/sys/fs/cgroup/")) dirs.push_back(line);
    for (const auto& left : cgroups::remove_cgroups(dirs, 5000)) {
      log.error("pod " + o.uuid + ": cgroup " + left + " could not be removed (processes left in it?)");
      rc = 1;
    }
  }
  try {
    net::teardown_pod_network(pod, log);
  } catch (const Error& e) {
    log.error("pod " + o.uuid + ": releasing its networks: " + e.what());
    rc = 1;
  }
  return rc;
}

}  // namespace pod::stage1::kvm
