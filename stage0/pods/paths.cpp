#include "stage0/pods/paths.hpp"

#include "common/fs.hpp"

namespace pod::pods {

std::string_view dir_state_name(DirState s) {
  switch (s) {
    case DirState::embryo: return "embryo";
    case DirState::prepare: return "prepare";
    case DirState::prepared: return "prepared";
    case DirState::run: return "run";
    case DirState::exited_garbage: return "exited-garbage";
    case DirState::garbage: return "garbage";
  }
  return "unknown";
}

std::string pods_root(const std::string& data_dir) { return path_join(data_dir, "pods"); }

std::string state_dir(const std::string& data_dir, DirState s) {
  return path_join(pods_root(data_dir), dir_state_name(s));
}

std::string pod_dir(const std::string& data_dir, DirState s, const std::string& uuid) {
  return path_join(state_dir(data_dir, s), uuid);
}

void ensure_pod_dirs(const std::string& data_dir) {
  for (DirState s : kAllDirStates) make_dirs(state_dir(data_dir, s), 0711);
}

std::string app_info_dir(const std::string& pod_path, const std::string& app) {
  return pod_path + "/" + pod_file::kAppsInfo + "/" + app;
}

std::string app_overlay_dir(const std::string& pod_path, const std::string& app) {
  return pod_path + "/overlay/apps/" + app;
}

std::string app_rootfs_in_stage1(const std::string& stage1_rootfs, const std::string& app) {
  return stage1_rootfs + "/opt/stage2/" + app + "/rootfs";
}

}  // namespace pod::pods
