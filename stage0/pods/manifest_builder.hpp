// Building the pod manifest from the images and the flags of `pod run`/`pod prepare`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "stage0/pods/run_args.hpp"

namespace pod::pods {

// An image the store resolved for one app.
struct ResolvedImage {
  std::string id;  // full "sha512-..."
  aci::ImageManifest manifest;
};

struct PodOptions {
  std::vector<aci::Volume> volumes;       // --volume
  std::vector<aci::ExposedPort> ports;    // --port NAME:[IP:]HOSTPORT
  aci::Annotations annotations;           // the pod manifest's own annotations
  aci::Annotations user_annotations;      // --user-annotation
  aci::Labels user_labels;                // --user-label
  // --inherit-env: the host environment, lowest priority under the image's and the flags'.
  std::vector<std::pair<std::string, std::string>> inherited_env;
  // --set-env-file and --set-env before the images: over every app's own environment flags.
  std::vector<std::string> set_env_files;
  std::vector<std::pair<std::string, std::string>> set_env;
};

// The app's name: --name, else the last component of the image name, made an AC Name,
// made unique among `taken` by a numeric suffix.
[[nodiscard]] std::string choose_app_name(const AppOptions& opts, const aci::ImageManifest& image,
                                          const std::vector<std::string>& taken);

// One RuntimeApp: the image's app section with every flag applied (the pod manifest always
// carries the effective app section, so stage1 needs nothing else). Throws UsageError/Error
// naming the image for an image without an app and no --exec, or a mount naming no volume.
[[nodiscard]] aci::RuntimeApp build_runtime_app(const AppOptions& opts, const ResolvedImage& image,
                                                const PodOptions& pod,
                                                const std::vector<std::string>& taken_names);

// The whole manifest; apps and images are parallel vectors.
[[nodiscard]] aci::PodManifest build_pod_manifest(const std::vector<AppOptions>& apps,
                                                  const std::vector<ResolvedImage>& images,
                                                  const PodOptions& pod);

// "--port NAME:[HOSTIP:]HOSTPORT" (rkt's syntax).
[[nodiscard]] aci::ExposedPort parse_port_flag(const std::string& text);
// Reads a --set-env-file: NAME=VALUE lines, '#' comments and blank lines ignored.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> read_env_file(const std::string& path);
// The seccomp flag to an isolator: "mode=retain,errno=EPERM,read,write" (mode is required).
[[nodiscard]] aci::Isolator seccomp_isolator(const std::string& flag);

}  // namespace pod::pods
