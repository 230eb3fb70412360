// gc: fly sets up nothing outside the pod directory (no network namespaces, no cgroups,
// no mounts in the host's namespace), so there is nothing to release.
#include "common/log.hpp"
#include "stage1/fly/entrypoints.hpp"
#include "stage1/fly/options.hpp"

namespace pod::stage1::fly {

int gc_pod(const std::vector<std::string>& args) {
  const GcOptions o = parse_gc_options(args);
  Logger(o.debug).debug("pod " + o.uuid + ": fly keeps nothing outside the pod directory; nothing to collect");
  return 0;
}

}  // namespace pod::stage1::fly
