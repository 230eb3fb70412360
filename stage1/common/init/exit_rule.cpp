#include "stage1/common/init/exit_rule.hpp"

#include "common/strings.hpp"

namespace pod::stage1::init {

PodResult pod_result(const std::vector<AppExit>& in_exit_order, bool stopped_from_outside) {
  for (const auto& e : in_exit_order) {
    if (e.launch_failed) return PodResult{254, 0, true};
  }
  for (const auto& e : in_exit_order) {
    if (e.code == 0) continue;
    if (e.stopped && !stopped_from_outside) continue;
    return PodResult{e.code, e.signal, false};
  }
  return {};
}

int pod_exit_code(const std::vector<AppExit>& in_exit_order, bool stopped_from_outside) {
  return pod_result(in_exit_order, stopped_from_outside).code;
}

std::string result_text(const PodResult& r) {
  if (r.failed) return "failed\n";
  if (r.signal != 0) return "signal " + std::to_string(r.signal) + "\n";
  return "exit " + std::to_string(r.code) + "\n";
}

PodResult parse_result(const std::string& text) {
  auto t = std::string(trim(text));
  try {
    if (t == "failed") return PodResult{254, 0, true};
    if (starts_with(t, "signal ")) {
      int sig = std::stoi(t.substr(7));
      return PodResult{128 + sig, sig, false};
    }
    if (starts_with(t, "exit ")) return PodResult{std::stoi(t.substr(5)), 0, false};
  } catch (const std::exception&) {
  }
  return PodResult{254, 0, true};  // unreadable: the pod did not end as it should
}

}  // namespace pod::stage1::init
