// Volumes of the pod manifest mounted at the app's mount points (ace.md, "Volume Setup").
#pragma once

#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/log.hpp"

namespace pod::stage1 {

struct VolumeMount {
  aci::Volume volume;
  std::string target;  // absolute path inside the app's rootfs
  bool read_only = false;
  bool recursive = true;
};

// Which volume goes where: the runtime app's "mounts" first, then every mount point of the
// effective app not covered by them, matched to the pod volume of the same name. A mount
// point without such a volume, a mount naming a missing volume, or two targets that are
// equal or nested are errors naming the app, the mount point and the volume.
[[nodiscard]] std::vector<VolumeMount> plan_volume_mounts(const aci::PodManifest& pod,
                                                          const aci::RuntimeApp& runtime,
                                                          const aci::App& app,
                                                          const std::string& app_name);

// Mounts them inside the rootfs. Host volumes: the source must exist and neither be nor
// pass through a symlink (ace.md). Empty volumes: a directory under `empty_volumes_dir`
// (created with the volume's mode, uid and gid) shared by the pod's apps.
void mount_volumes(int rootfd, const std::vector<VolumeMount>& mounts,
                   const std::string& empty_volumes_dir, const Logger& log);

}  // namespace pod::stage1
