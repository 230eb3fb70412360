#include <chrono>
#include <cstdio>
#include <thread>

#include "common/duration.hpp"
#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/info.hpp"

namespace pod::cli {

namespace {

// rkt's --wait/--wait-ready values: true (forever), false (not at all), or a duration
// (negative: forever, zero: not at all).
std::optional<std::chrono::milliseconds> wait_limit(const std::string& v, const std::string& flag) {
  if (v == "false" || v == "0") return std::chrono::milliseconds(0);
  if (v == "true" || v.empty() || (!v.empty() && v[0] == '-')) return std::nullopt;  // forever
  try {
    return parse_duration(v);
  } catch (const UsageError&) {
    throw UsageError("--" + flag + "=" + v + ": expected true, false or a duration such as 30s");
  }
}

bool finished(pods::PodState s) {
  using S = pods::PodState;
  return s == S::exited || s == S::exited_garbage || s == S::garbage || s == S::deleting ||
         s == S::aborted_prepare;
}

}  // namespace

Command status_command() {
  Command c;
  c.name = "status";
  c.summary = "Show the status of a pod";
  c.usage = "pod status [--wait[=DURATION]] [--wait-ready[=DURATION]] [--format=json] UUID";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()
        ("wait", "wait for the pod to exit: true, false, or a timeout such as 30s",
         cxxopts::value<std::string>()->default_value("false")->implicit_value("true"))
        ("wait-ready", "wait for the pod to be running: true, false, or a timeout",
         cxxopts::value<std::string>()->default_value("false")->implicit_value("true"))
        ("format", "output format: json or json-pretty (default: key=value lines)",
         cxxopts::value<std::string>()->default_value(""));
    p.add_pod_args(false);
    auto res = p.parse(inv.args, inv.global);
    std::string format = res["format"].as<std::string>();
    if (!format.empty() && format != "json" && format != "json-pretty")
      throw UsageError("unknown --format \"" + format + "\"", 0, "leave --format out for a table, or use json or json-pretty");
    const PodArgs named = pod_args(res);
    const std::string& dir = inv.global.dir;
    pods::Pod pod = pods::open_pod_arg(dir, named.uuids, named.uuid_file);
    const std::string uuid = pod.uuid();

    auto wait_for = [&](const std::string& flag, auto done, const char* what) {
      auto limit = wait_limit(res[flag].as<std::string>(), flag);
      if (limit && limit->count() == 0) return;
      auto deadline = std::chrono::steady_clock::now() + limit.value_or(std::chrono::hours(24 * 365));
      for (;;) {
        pod = pods::Pod::open(dir, uuid);  // it may have moved (prepared -> run -> ...)
        if (done(pods::read_pod_info(pod))) return;
        if (std::chrono::steady_clock::now() >= deadline) {
          Error e("timed out waiting for pod " + uuid + " to " + what);
          e.set_hint("give --" + flag + " a longer duration");
          throw e;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    };
    wait_for("wait-ready", [](const pods::PodInfo& i) { return i.ready() || finished(i.state); },
             "be ready");
    wait_for("wait", [](const pods::PodInfo& i) { return finished(i.state); }, "exit");

    pods::PodInfo info = pods::read_pod_info(pod);
    if (!format.empty()) {
      std::printf("%s\n", pods::pod_info_json(info).dump(format == "json-pretty" ? 4 : -1).c_str());
    } else {
      std::fputs(pods::status_text(info).c_str(), stdout);
    }
    return 0;
  };
  return c;
}

}  // namespace pod::cli
