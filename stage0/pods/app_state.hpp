// An app's state as `pod app list` and `pod app status` show it (rkt's lib.App): what
// pod init recorded in rkt/app-state/<app> (Documentation/stage1-abi.md), the image from
// the pod manifest, and the pod's own state (a pod that ended ended its apps).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stage0/pods/pod.hpp"

namespace pod::pods {

struct AppStatus {
  std::string name;
  std::string state = "unknown";  // created, running, exited, unknown
  std::string image_name;
  std::string image_id;
  std::optional<int64_t> pid;
  std::optional<int64_t> created_at;  // ns since the epoch
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  std::optional<int> exit_code;
};

// The state record's text to an AppStatus (state and times only); unit-tested.
[[nodiscard]] AppStatus parse_app_state(const std::string& name, const std::string& text);

// Every app of the pod's manifest, in its order.
[[nodiscard]] std::vector<AppStatus> read_app_statuses(const Pod& pod);

// rkt's JSON field names: name, state, image_id, pid, created_at, ... (absent when unknown).
[[nodiscard]] nlohmann::json app_status_json(const AppStatus& s);
// rkt's `app status` lines: name=..., state=..., image_id=..., created_at=..., exit_code=...
[[nodiscard]] std::string app_status_lines(const AppStatus& s);

}  // namespace pod::pods
