// Where pods live on disk: <data_dir>/pods/<state dir>/<uuid>.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace pod::pods {

// The directory a pod is in. A pod changes directory by rename(2) under its lock.
enum class DirState { embryo, prepare, prepared, run, exited_garbage, garbage };

inline constexpr std::array<DirState, 6> kAllDirStates = {
    DirState::embryo, DirState::prepare,        DirState::prepared,
    DirState::run,    DirState::exited_garbage, DirState::garbage};

// "embryo", "prepare", "prepared", "run", "exited-garbage", "garbage".
[[nodiscard]] std::string_view dir_state_name(DirState s);

[[nodiscard]] std::string pods_root(const std::string& data_dir);
[[nodiscard]] std::string state_dir(const std::string& data_dir, DirState s);
[[nodiscard]] std::string pod_dir(const std::string& data_dir, DirState s, const std::string& uuid);

// Creates <data_dir>/pods and every state directory (0711, as rkt: traversable, not listable).
void ensure_pod_dirs(const std::string& data_dir);

// Files inside a pod directory (see Documentation/stage1-abi.md).
namespace pod_file {
inline constexpr const char* kManifest = "pod";
inline constexpr const char* kStage1Manifest = "stage1/manifest";
inline constexpr const char* kStage1Rootfs = "stage1/rootfs";
inline constexpr const char* kStage1TreeStoreId = "stage1TreeStoreID";
inline constexpr const char* kAppsInfo = "appsinfo";
inline constexpr const char* kPid = "pid";
inline constexpr const char* kNetInfo = "net-info.json";
// Present when the pod was prepared with --no-overlay: run-prepared copies the trees too.
inline constexpr const char* kNoOverlay = "no-overlay";
inline constexpr const char* kStage1Upper = "overlay/stage1/upper";
inline constexpr const char* kStage1Work = "overlay/stage1/work";
}  // namespace pod_file

[[nodiscard]] std::string app_info_dir(const std::string& pod_path, const std::string& app);
[[nodiscard]] std::string app_overlay_dir(const std::string& pod_path, const std::string& app);
// Where stage0 mounts an app's rootfs inside the stage1 rootfs.
[[nodiscard]] std::string app_rootfs_in_stage1(const std::string& stage1_rootfs,
                                               const std::string& app);

}  // namespace pod::pods
