// Reading an app's manifests from a pod directory (Documentation/stage1-abi.md).
#pragma once

#include <string>

#include "aci/manifest.hpp"

namespace pod::stage2 {

struct AppManifests {
  aci::PodManifest pod;
  aci::ImageManifest image;
};

// DIR/pod and DIR/appsinfo/APP/manifest. Throws Error naming the file, and the app when
// the pod manifest does not list it.
[[nodiscard]] AppManifests read_app_manifests(const std::string& pod_dir, const std::string& app);
[[nodiscard]] AppManifests read_app_manifests(const std::string& pod_manifest_file,
                                              const std::string& image_manifest_file,
                                              const std::string& app);

}  // namespace pod::stage2
