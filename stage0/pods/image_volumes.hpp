// Docker's anonymous volumes for OCI images: each mount point an OCI image declares
// (its config's Volumes) that no --volume or --mount covers gets an `empty` volume of
// the pod's own, seeded at prepare time with what the image has at that path (owners
// and modes kept). The pod manifest then says only what it says for an ACI, so stage1
// and stage2 need no OCI knowledge; the store's layers are never written.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/log.hpp"

namespace pod::pods {

struct ImageVolume {
  size_t app = 0;      // index in the pod manifest's apps
  std::string volume;  // the pod volume added
  std::string path;    // the mount point's path
};

// Adds, for each app whose image is an OCI image (`oci_apps[i]`), an empty volume named
// "<app>-<mount point>" (unique in the pod) and the app's mount of it, for every mount
// point of its app that neither a pod volume of the mount point's name nor a mount of the
// app (by path or volume name) covers. Returns what it added.
[[nodiscard]] std::vector<ImageVolume> add_image_volumes(aci::PodManifest& m,
                                                         const std::vector<bool>& oci_apps);

// Where stage1 keeps the pod's empty volumes (/rkt/volumes/NAME in its rootfs, as in
// rkt), here in the stage1 rootfs's overlay upper layer, which prepare owns.
[[nodiscard]] std::string empty_volume_dir(const std::string& pod_path, const std::string& volume);

// Seeds each added volume's directory with the image's content at its path (the app's
// tree `tree_ids[app]` in the store of `data_dir`) and records the directory's mode and
// owner in the volume, so a stage1 that creates it anyway gives it the same ones. The
// app's overlay upper gets an empty opaque directory there, which the volume covers.
void seed_image_volumes(aci::PodManifest& m, const std::vector<ImageVolume>& added,
                        const std::string& pod_path, const std::string& data_dir,
                        const std::vector<std::string>& tree_ids, const Logger& log);

}  // namespace pod::pods
