// pod app list UUID, pod app status UUID --app=NAME (Documentation/app.md): rkt's output,
// a table (or JSON) of names and states, and one app's key=value lines (or JSON).
#include <cstdio>

#include "common/error.hpp"
#include "common/table.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/app_state.hpp"
#include "stage0/pods/cli_support.hpp"

namespace pod::cli {
namespace {

std::string checked_format(const cxxopts::ParseResult& res) {
  std::string format = res["format"].as<std::string>();
  if (!format.empty() && format != "json" && format != "json-pretty")
    throw UsageError("unknown --format \"" + format + "\"", 0, "leave --format out, or use json or json-pretty");
  return format;
}

pods::Pod one_pod(const cxxopts::ParseResult& res, const std::string& dir) {
  std::vector<std::string> uuids;
  if (res.count("uuid")) uuids = res["uuid"].as<std::vector<std::string>>();
  if (uuids.size() != 1) throw UsageError("give exactly one pod UUID");
  return pods::open_pod_arg(dir, uuids, std::nullopt);
}

}  // namespace

Command app_list_command() {
  Command c;
  c.name = "app list";
  c.summary = "List the apps of a pod and their states";
  c.usage = "pod app list [--no-legend] [--format=json|json-pretty] UUID";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()("no-legend", "leave out the header", cxxopts::value<bool>()->default_value("false"))
        ("format", "output format: json or json-pretty (default: a table)",
         cxxopts::value<std::string>()->default_value(""))
        ("uuid", "the pod", cxxopts::value<std::vector<std::string>>());
    p.positional({"uuid"}, "UUID");
    auto res = p.parse(inv.args, inv.global);
    const std::string format = checked_format(res);
    pods::Pod pod = one_pod(res, inv.global.dir);
    auto apps = with_context("pod " + pod.uuid(), [&] { return pods::read_app_statuses(pod); });
    if (!format.empty()) {
      auto arr = nlohmann::json::array();
      for (const auto& a : apps) arr.push_back(pods::app_status_json(a));
      std::printf("%s\n", arr.dump(format == "json-pretty" ? 4 : -1).c_str());
      return 0;
    }
    Table t({"NAME", "STATE"});
    for (const auto& a : apps) t.add_row({a.name, a.state});
    t.print(!res["no-legend"].as<bool>());
    return 0;
  };
  return c;
}

Command app_status_command() {
  Command c;
  c.name = "app status";
  c.summary = "Show the state of one app of a pod";
  c.usage = "pod app status [--format=json|json-pretty] UUID --app=NAME";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()("app", "the app's name", cxxopts::value<std::string>())
        ("format", "output format: json or json-pretty (default: key=value lines)",
         cxxopts::value<std::string>()->default_value(""))
        ("uuid", "the pod", cxxopts::value<std::vector<std::string>>());
    p.positional({"uuid"}, "UUID");
    auto res = p.parse(inv.args, inv.global);
    const std::string format = checked_format(res);
    if (!res.count("app") || res["app"].as<std::string>().empty())
      throw UsageError("--app=NAME is required", 0, "pod app list UUID shows the pod's apps");
    const std::string name = res["app"].as<std::string>();
    pods::Pod pod = one_pod(res, inv.global.dir);
    auto apps = with_context("pod " + pod.uuid(), [&] { return pods::read_app_statuses(pod); });
    for (const auto& a : apps) {
      if (a.name != name) continue;
      if (!format.empty()) {
        std::printf("%s\n", pods::app_status_json(a).dump(format == "json-pretty" ? 4 : -1).c_str());
      } else {
        std::printf("%s", pods::app_status_lines(a).c_str());
      }
      return 0;
    }
    Error e("pod " + pod.uuid() + " has no app named " + name);
    e.set_hint("pod app list " + pod.uuid() + " shows its apps");
    throw e;
  };
  return c;
}

}  // namespace pod::cli
