// What `pod list` and `pod status` report about a pod, read from its directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aci/names.hpp"
#include "stage0/pods/pod.hpp"

namespace pod::pods {

struct AppInfo {
  std::string name;
  std::string image_name;  // as in the pod manifest (may be empty)
  std::string image_id;
  std::optional<int> exit_code;         // from the status file stage1 writes
  std::optional<int64_t> finished_at;   // ns since the epoch: that file's mtime
  std::string reason;                   // stage1's rkt/reason/<app>, e.g. "OOMKilled"; may be empty
};

struct PodInfo {
  std::string uuid;
  PodState state = PodState::embryo;
  std::optional<int64_t> created_at;  // ns since the epoch: when the pod manifest was written
  std::optional<int64_t> started_at;  // when stage1 wrote the pid file
  std::optional<int64_t> exited_at;   // the latest app status, once the pod is not running
  std::optional<pid_t> pid;
  std::vector<AppInfo> apps;
  nlohmann::json networks = nlohmann::json::array();  // net-info.json as stage1 wrote it
  aci::Annotations user_annotations;
  aci::Labels user_labels;
  // Running and past starting: stage1 has written the pid file.
  [[nodiscard]] bool ready() const { return state == PodState::running && pid.has_value(); }
};

// Reads everything available; files not written yet (or a pod still preparing) leave
// fields empty rather than failing, since list must show every pod.
[[nodiscard]] PodInfo read_pod_info(const Pod& pod);
// The same with the state the caller observed: the api-service reads lock state from
// /proc/locks, since even a shared probe can make `pod gc` think a pod is in use.
[[nodiscard]] PodInfo read_pod_info(const Pod& pod, PodState observed);
// The app a command acts on: `wanted` (--app) when the pod has it, else the pod's only app.
// Throws UsageError for an unknown name, or when several apps leave the choice open.
[[nodiscard]] std::string choose_app(const PodInfo& info, const std::optional<std::string>& wanted);

// "default:ip4=172.16.28.7", comma-separated for several networks.
[[nodiscard]] std::string networks_summary(const nlohmann::json& networks);

// rkt's JSON form of a pod (lib.Pod: name, state, networks, app_names, apps, pid,
// created_at, started_at, user_annotations, user_labels).
[[nodiscard]] nlohmann::json pod_info_json(const PodInfo& info);

// `pod status` text: key=value lines as rkt prints them.
[[nodiscard]] std::string status_text(const PodInfo& info);

// "2026-11-25 08:46:21.123 +0000 UTC" (--full) and "2 minutes ago".
[[nodiscard]] std::string format_time_full(int64_t ns);
[[nodiscard]] std::string format_time_ago(int64_t ns, int64_t now_ns);
[[nodiscard]] int64_t now_ns();

}  // namespace pod::pods
