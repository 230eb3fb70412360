#include <cstdio>

#include "common/error.hpp"
#include "common/table.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/resolve.hpp"

namespace pod::cli {

namespace {

std::string short_uuid(const std::string& uuid, bool full) { return full ? uuid : uuid.substr(0, 8); }

}  // namespace

Command list_command() {
  Command c;
  c.name = "list";
  c.summary = "List pods";
  c.usage = "pod list [--full] [--no-legend] [--format=json|json-pretty]";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()
        ("full", "show whole UUIDs, image IDs and absolute times",
         cxxopts::value<bool>()->default_value("false"))
        ("no-legend", "omit the header line", cxxopts::value<bool>()->default_value("false"))
        ("format", "output format: json or json-pretty (default: a table)",
         cxxopts::value<std::string>()->default_value(""));
    auto res = p.parse(inv.args, inv.global);
    require_no_arguments(res, "list", "to see one pod, use 'pod status UUID'");
    bool full = res["full"].as<bool>();
    std::string format = res["format"].as<std::string>();
    if (!format.empty() && format != "json" && format != "json-pretty")
      throw UsageError("unknown --format \"" + format + "\"", 0, "leave --format out for a table, or use json or json-pretty");
    const std::string& dir = inv.global.dir;

    std::vector<pods::PodInfo> infos;
    for (const auto& loc : pods::list_pods(dir)) {
      try {
        infos.push_back(pods::read_pod_info(pods::Pod::open(dir, loc.uuid)));
      } catch (const Error& e) {
        if (e.errnum() != ENOENT) throw;  // removed while we listed: not a pod any more
      }
    }
    if (!format.empty()) {
      auto arr = nlohmann::json::array();
      for (const auto& i : infos) arr.push_back(pods::pod_info_json(i));
      std::printf("%s\n", arr.dump(format == "json-pretty" ? 4 : -1).c_str());
      return 0;
    }
    std::vector<std::string> headers = {"UUID", "APP", "IMAGE NAME"};
    if (full) headers.push_back("IMAGE ID");
    for (const char* h : {"STATE", "CREATED", "STARTED", "NETWORKS"}) headers.emplace_back(h);
    Table t(headers);
    int64_t now = pods::now_ns();
    auto when = [&](const std::optional<int64_t>& ns) {
      if (!ns) return std::string();
      return full ? pods::format_time_full(*ns) : pods::format_time_ago(*ns, now);
    };
    for (const auto& i : infos) {
      // One line per app; the pod's own columns only on its first line, as rkt prints them.
      size_t n = std::max<size_t>(1, i.apps.size());
      for (size_t k = 0; k < n; ++k) {
        std::vector<std::string> row;
        row.push_back(k == 0 ? short_uuid(i.uuid, full) : "");
        const pods::AppInfo* a = k < i.apps.size() ? &i.apps[k] : nullptr;
        row.push_back(a ? a->name : "-");
        row.push_back(a ? a->image_name : "-");
        if (full) row.push_back(a ? a->image_id : "-");
        if (k == 0) {
          row.emplace_back(pods::state_name(i.state));
          row.push_back(when(i.created_at));
          row.push_back(when(i.started_at));
          row.push_back(pods::networks_summary(i.networks));
        }
        t.add_row(std::move(row));
      }
    }
    t.print(!res["no-legend"].as<bool>());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
