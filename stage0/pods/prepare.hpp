// Preparing a pod: images resolved (and imported or fetched), trees rendered, the pod
// directory written as the stage1 ABI describes. Nothing half-prepared is left behind:
// on failure the new pod directory is removed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage0/pods/images.hpp"
#include "stage0/pods/manifest_builder.hpp"
#include "stage0/pods/pod.hpp"
#include "stage0/pods/stage1_config.hpp"
#include "stage0/store/store.hpp"

namespace pod::pods {

struct PrepareRequest {
  std::vector<AppOptions> apps;
  PodOptions pod;
  std::optional<std::string> pod_manifest_file;  // --pod-manifest: used as it is
  std::optional<aci::PodManifest> manifest;      // built by the caller (app sandbox: no apps)
  Stage1Selection stage1;
  ImageSourceOptions sources;
  bool durable = true;  // fsync the manifest (prepare); run uses the pod at once and skips it
};

// Returns the pod, exclusively locked, in prepare/ (the caller moves it to prepared/ or run/).
[[nodiscard]] Pod prepare_pod(const std::string& data_dir, store::Store& store,
                              const PrepareRequest& req, const Logger& log);

}  // namespace pod::pods
