#include "stage0/pods/info.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::pods {

namespace {

std::optional<int64_t> mtime_ns(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return std::nullopt;
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::optional<std::string> read_if_exists(const std::string& path) {
  try {
    return read_file(path);
  } catch (const Error& e) {
    if (e.errnum() == ENOENT) return std::nullopt;
    throw;
  }
}

std::optional<int> parse_int(std::string_view text) {
  std::string t(trim(text));
  if (t.empty()) return std::nullopt;
  try {
    size_t used = 0;
    int v = std::stoi(t, &used);
    if (used != t.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// stage1 writes rkt/status/<app> in its rootfs; with overlayfs that lands in the upper
// directory, with the copy fallback in stage1/rootfs itself.
std::optional<std::string> app_status_path(const std::string& pod_path, const std::string& app) {
  for (const char* base : {pod_file::kStage1Upper, pod_file::kStage1Rootfs}) {
    std::string p = pod_path + "/" + base + "/rkt/status/" + app;
    if (path_exists(p)) return p;
  }
  return std::nullopt;
}

}  // namespace

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

PodInfo read_pod_info(const Pod& pod) { return read_pod_info(pod, pod.state()); }

PodInfo read_pod_info(const Pod& pod, PodState observed) {
  PodInfo info;
  info.uuid = pod.uuid();
  info.state = observed;
  std::string dir = pod.path();
  std::string manifest_path = dir + "/" + pod_file::kManifest;
  info.created_at = mtime_ns(manifest_path);
  if (auto text = read_if_exists(manifest_path)) {
    try {
      auto m = aci::PodManifest::parse(*text);
      info.user_annotations = m.user_annotations;
      info.user_labels = m.user_labels;
      for (const auto& ra : m.apps) {
        AppInfo a;
        a.name = ra.name;
        a.image_name = ra.image.name;  // with :version, as rkt's list shows it
        if (auto v = ra.image.labels.get("version")) a.image_name += ":" + *v;
        a.image_id = ra.image.id;
        if (auto sp = app_status_path(dir, ra.name)) {
          a.exit_code = parse_int(read_if_exists(*sp).value_or(""));
          a.finished_at = mtime_ns(*sp);
          // The namespaced flavors say why an app ended where the kernel decided it.
          std::string reason_path = *sp;
          reason_path.replace(reason_path.rfind("/rkt/status/"), 12, "/rkt/reason/");
          a.reason = std::string(trim(read_if_exists(reason_path).value_or("")));
        }
        info.apps.push_back(std::move(a));
      }
    } catch (const Error&) {
      // A manifest that does not parse shows as a pod without apps; status reports it.
    }
  }
  std::string pid_path = dir + "/" + pod_file::kPid;
  if (auto pid_text = read_if_exists(pid_path)) {
    info.started_at = mtime_ns(pid_path);
    if (auto pid = parse_int(*pid_text); pid && *pid > 0) info.pid = *pid;
  }
  if (auto net = read_if_exists(dir + "/" + pod_file::kNetInfo)) {
    auto j = nlohmann::json::parse(*net, nullptr, false);
    if (j.is_array()) info.networks = std::move(j);
  }
  bool over = info.state == PodState::exited || info.state == PodState::exited_garbage ||
              info.state == PodState::garbage || info.state == PodState::deleting;
  if (over && info.started_at) {
    for (const auto& a : info.apps)
      if (a.finished_at && (!info.exited_at || *a.finished_at > *info.exited_at))
        info.exited_at = a.finished_at;
  }
  return info;
}

std::string networks_summary(const nlohmann::json& networks) {
  std::vector<std::string> parts;
  for (const auto& n : networks) {
    std::string name = n.value("netName", n.value("name", std::string()));
    std::string ip = n.value("ip", std::string());
    if (name.empty()) continue;
    parts.push_back(ip.empty() ? name : name + ":ip4=" + ip);
  }
  return join(parts, ",");
}

nlohmann::json pod_info_json(const PodInfo& info) {
  nlohmann::json j;
  j["name"] = info.uuid;
  j["state"] = std::string(state_name(info.state));
  j["networks"] = info.networks;
  auto names = nlohmann::json::array();
  auto apps = nlohmann::json::array();
  for (const auto& a : info.apps) {
    names.push_back(a.name);
    nlohmann::json aj;
    aj["name"] = a.name;
    aj["state"] = a.exit_code ? "exited"
                  : info.state == PodState::running ? "running"
                  : info.state == PodState::prepared || info.state == PodState::preparing
                      ? "created"
                      : "unknown";
    aj["image_id"] = a.image_id;
    if (!a.image_name.empty()) aj["image_name"] = a.image_name;
    if (info.created_at) aj["created_at"] = *info.created_at;
    if (info.started_at) aj["started_at"] = *info.started_at;
    if (a.finished_at) aj["finished_at"] = *a.finished_at;
    if (a.exit_code) aj["exit_code"] = *a.exit_code;
    if (!a.reason.empty()) aj["reason"] = a.reason;
    apps.push_back(std::move(aj));
  }
  j["app_names"] = names;
  j["apps"] = apps;
  if (info.pid) j["pid"] = *info.pid;
  // rkt's units, which its users parse (Nomad's rkt driver): seconds for the pod's own
  // times, nanoseconds inside apps[].
  constexpr int64_t kNanos = 1'000'000'000;
  if (info.created_at) j["created_at"] = *info.created_at / kNanos;
  if (info.started_at) j["started_at"] = *info.started_at / kNanos;
  if (info.exited_at) j["exited_at"] = *info.exited_at / kNanos;
  auto to_map = [](const aci::NameValueList& l) {
    auto m = nlohmann::json::object();
    for (const auto& nv : l) m[nv.name] = nv.value;
    return m;
  };
  j["user_annotations"] = to_map(info.user_annotations);
  j["user_labels"] = to_map(info.user_labels);
  return j;
}

// rkt's lines, in rkt's order and for the states rkt prints them in (scripts parse them):
// networks for running and exited pods; pid, exited and the apps' statuses once running.
std::string status_text(const PodInfo& info) {
  using S = PodState;
  const S st = info.state;
  std::string out = "state=" + std::string(state_name(st)) + "\n";
  if (info.created_at) out += "created=" + format_time_full(*info.created_at) + "\n";
  if (info.started_at) out += "started=" + format_time_full(*info.started_at) + "\n";
  if (st == S::running || st == S::exited)
    out += "networks=" + networks_summary(info.networks) + "\n";
  const bool exited = st == S::exited || st == S::exited_garbage;
  if (!(st == S::running || st == S::deleting || exited)) return out;
  if (info.pid) out += "pid=" + std::to_string(*info.pid) + "\n";
  out += std::string("exited=") + (exited ? "true" : "false") + "\n";
  if (st == S::running) return out;
  for (const auto& a : info.apps)
    if (a.exit_code) out += "app-" + a.name + "=" + std::to_string(*a.exit_code) + "\n";
  for (const auto& a : info.apps)
    if (!a.reason.empty()) out += "app-" + a.name + "-reason=" + a.reason + "\n";
  return out;
}

std::string format_time_full(int64_t ns) {
  std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  int ms = static_cast<int>((ns / 1'000'000) % 1000);
  std::tm tm {};
  ::localtime_r(&secs, &tm);
  char date[64];
  char zone[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  std::strftime(zone, sizeof zone, "%z %Z", &tm);
  char ms_text[8];
  std::snprintf(ms_text, sizeof ms_text, ".%03d", ms);
  return std::string(date) + ms_text + " " + zone;
}

std::string format_time_ago(int64_t ns, int64_t now) {
  int64_t secs = (now - ns) / 1'000'000'000;
  if (secs < 1) return "just now";
  auto plural = [](int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (secs < 60) return plural(secs, "second");
  if (secs < 3600) return plural(secs / 60, "minute");
  if (secs < 86400) return plural(secs / 3600, "hour");
  return plural(secs / 86400, "day");
}

std::string choose_app(const PodInfo& info, const std::optional<std::string>& wanted) {
  if (wanted) {
    bool known = std::any_of(info.apps.begin(), info.apps.end(),
                             [&](const AppInfo& a) { return a.name == *wanted; });
    if (!known) throw UsageError("the pod has no app named \"" + *wanted + "\"");
    return *wanted;
  }
  if (info.apps.size() == 1) return info.apps[0].name;
  std::vector<std::string> names;
  for (const auto& a : info.apps) names.push_back(a.name);
  throw UsageError("the pod has several apps (" + join(names, ", ") + ")", 0,
                   "choose one with --app=NAME");
}

}  // namespace pod::pods
