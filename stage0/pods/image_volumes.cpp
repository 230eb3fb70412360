#include "stage0/pods/image_volumes.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "aci/names.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/pods/paths.hpp"
#include "stage0/store/oci_tree.hpp"

namespace pod::pods {

namespace {

std::string normalized(const std::string& path) {
  std::vector<std::string> parts;
  for (auto& c : split(path, '/'))
    if (!c.empty() && c != ".") parts.push_back(c);
  return "/" + join(parts, "/");
}

}  // namespace

std::vector<ImageVolume> add_image_volumes(aci::PodManifest& m, const std::vector<bool>& oci_apps) {
  std::vector<ImageVolume> added;
  for (size_t i = 0; i < m.apps.size() && i < oci_apps.size(); ++i) {
    if (!oci_apps[i] || !m.apps[i].app) continue;
    aci::RuntimeApp& ra = m.apps[i];
    for (const auto& mp : ra.app->mount_points) {
      std::string path = normalized(mp.path);
      if (m.find_volume(mp.name)) continue;  // --volume NAME,... given for it
      bool mounted = std::any_of(ra.mounts.begin(), ra.mounts.end(), [&](const aci::Mount& mt) {
        return mt.volume == mp.name || normalized(mt.path) == path || mt.path == mp.name;
      });
      if (mounted) continue;  // --mount volume=X,target=PATH given for it
      std::string base = aci::sanitize_ac_name(ra.name + "-" + mp.name);
      std::string name = base;
      for (int n = 2; m.find_volume(name); ++n) name = base + "-" + std::to_string(n);
      aci::Volume v;
      v.name = name;
      v.kind = "empty";
      m.volumes.push_back(v);
      aci::Mount mount;
      mount.volume = name;
      mount.path = path;
      ra.mounts.push_back(mount);
      added.push_back({i, name, path});
    }
  }
  return added;
}

std::string empty_volume_dir(const std::string& pod_path, const std::string& volume) {
  return pod_path + "/" + pod_file::kStage1Upper + "/rkt/volumes/" + volume;
}

void seed_image_volumes(aci::PodManifest& m, const std::vector<ImageVolume>& added,
                        const std::string& pod_path, const std::string& data_dir,
                        const std::vector<std::string>& tree_ids, const Logger& log) {
  for (const auto& a : added) {
    with_context("seeding volume " + a.volume + " of app " + m.apps.at(a.app).name + " from its image's " + a.path, [&] {
      std::string dir = empty_volume_dir(pod_path, a.volume);
      make_dirs(parent_dir(dir), 0755);
      store::TreeLower lower = store::tree_lower(data_dir, tree_ids.at(a.app));
      if (!store::copy_layers_at(lower, a.path, dir)) {
        log.debug("volume " + a.volume + ": the image has no directory at " + a.path +
                  "; it starts empty");
        return;
      }
      struct stat st;
      if (::lstat(dir.c_str(), &st) < 0) throw_errno("inspecting " + dir);
      auto v = std::find_if(m.volumes.begin(), m.volumes.end(),
                            [&](const aci::Volume& x) { return x.name == a.volume; });
      if (v != m.volumes.end()) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        v->mode = mode;
        v->uid = st.st_uid;
        v->gid = st.st_gid;
      }
      // The app's rootfs shows an empty directory there, which the volume covers.
      store::mask_in_upper(lower, a.path, app_overlay_dir(pod_path, m.apps.at(a.app).name) + "/upper");
      log.debug("volume " + a.volume + " seeded from the image's " + a.path);
    });
  }
}

}  // namespace pod::pods
