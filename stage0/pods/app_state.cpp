#include "stage0/pods/app_state.hpp"

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/pods/info.hpp"

namespace pod::pods {
namespace {

std::optional<int64_t> number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer()) return std::nullopt;
  return j[key].get<int64_t>();
}

// pod init writes into its rootfs: the overlay's upper directory, or the copied rootfs.
std::optional<std::string> read_state_file(const Pod& pod, const std::string& app) {
  for (const char* base : {pod_file::kStage1Upper, pod_file::kStage1Rootfs}) {
    std::string p = pod.path() + "/" + base + "/rkt/app-state/" + app;
    try {
      return read_file(p);
    } catch (const Error&) {
      // not there: the next place
    }
  }
  return std::nullopt;
}

}  // namespace

AppStatus parse_app_state(const std::string& name, const std::string& text) {
  AppStatus s;
  s.name = name;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return s;
  if (j.contains("state") && j["state"].is_string()) s.state = j["state"].get<std::string>();
  s.pid = number(j, "pid");
  s.created_at = number(j, "created_at");
  s.started_at = number(j, "started_at");
  s.finished_at = number(j, "finished_at");
  if (auto c = number(j, "exit_code")) s.exit_code = static_cast<int>(*c);
  return s;
}

std::vector<AppStatus> read_app_statuses(const Pod& pod) {
  auto manifest = aci::PodManifest::parse(read_file(pod.file(pod_file::kManifest)));
  const PodState pod_state = pod.state();
  std::vector<AppStatus> out;
  for (const auto& app : manifest.apps) {
    auto text = read_state_file(pod, app.name);
    AppStatus s = text ? parse_app_state(app.name, *text) : AppStatus{app.name};
    s.image_name = app.image.name;
    s.image_id = app.image.id;
    // The pod ended and its apps with it, whatever the last record said.
    if (pod_state != PodState::running && (s.state == "running" || s.state == "created")) {
      s.state = "exited";
      s.pid.reset();
    }
    out.push_back(std::move(s));
  }
  return out;
}

nlohmann::json app_status_json(const AppStatus& s) {
  nlohmann::json j = {{"name", s.name}, {"state", s.state}, {"image_id", s.image_id}, {"image_name", s.image_name}};
  if (s.pid) j["pid"] = *s.pid;
  if (s.created_at) j["created_at"] = *s.created_at;
  if (s.started_at) j["started_at"] = *s.started_at;
  if (s.finished_at) j["finished_at"] = *s.finished_at;
  if (s.exit_code) j["exit_code"] = *s.exit_code;
  return j;
}

std::string app_status_lines(const AppStatus& s) {
  std::string out = "name=" + s.name + "\nstate=" + s.state + "\nimage_id=" + s.image_id + "\n";
  if (s.pid) out += "pid=" + std::to_string(*s.pid) + "\n";
  if (s.created_at) out += "created_at=" + format_time_full(*s.created_at) + "\n";
  if (s.started_at) out += "started_at=" + format_time_full(*s.started_at) + "\n";
  if (s.finished_at) out += "finished_at=" + format_time_full(*s.finished_at) + "\n";
  if (s.exit_code) out += "exit_code=" + std::to_string(*s.exit_code) + "\n";
  return out;
}

}  // namespace pod::pods
