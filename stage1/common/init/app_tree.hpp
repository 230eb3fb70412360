// An app's rootfs made ready inside the pod, before its launcher pivots into it: /dev,
// /proc (the pod's pid namespace), read-only /sys, /tmp, masked kernel paths, resolv.conf
// and hosts, volumes, and a read-only rootfs when the pod manifest asks for one. The
// mounts live in pod init's mount namespace, which dies with the pod.
#pragma once

#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/log.hpp"

namespace pod::stage1::init {

struct AppTreeOptions {
  bool console = false;        // the app gets the pod's terminal as /dev/console
  bool disable_paths = false;  // --insecure-options=paths
  std::vector<std::string> dns;
  std::string generated_dir;   // where a --dns resolv.conf is written
  std::string empty_volumes;   // directories of kind "empty" volumes
  std::string host_volumes;    // where the run entrypoint bound each host volume (<dir>/<name>)
};

void prepare_app_tree(const std::string& rootfs, const aci::PodManifest& pod,
                      const aci::RuntimeApp& runtime, const aci::App& app,
                      const AppTreeOptions& options, const Logger& log);

}  // namespace pod::stage1::init
