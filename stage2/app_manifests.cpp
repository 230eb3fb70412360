#include "stage2/app_manifests.hpp"

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::stage2 {

AppManifests read_app_manifests(const std::string& pod_manifest_file,
                                const std::string& image_manifest_file, const std::string& app) {
  AppManifests m;
  with_context("reading pod manifest " + pod_manifest_file,
               [&] { m.pod = aci::PodManifest::parse(read_file(pod_manifest_file)); });
  if (!m.pod.find_app(app)) {
    Error err("app " + app + " is not in pod manifest " + pod_manifest_file);
    std::string names;
    for (const auto& a : m.pod.apps) names += (names.empty() ? "" : ", ") + a.name;
    err.set_hint("apps of this pod: " + (names.empty() ? std::string("none") : names));
    throw err;
  }
  with_context("reading image manifest " + image_manifest_file + " of app " + app,
               [&] { m.image = aci::ImageManifest::parse(read_file(image_manifest_file)); });
  return m;
}

AppManifests read_app_manifests(const std::string& pod_dir, const std::string& app) {
  return read_app_manifests(path_join(pod_dir, "pod"),
                            path_join(path_join(path_join(pod_dir, "appsinfo"), app), "manifest"),
                            app);
}

}  // namespace pod::stage2
