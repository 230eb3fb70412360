#include "stage1/common/cgroups/limits.hpp"

#include "common/error.hpp"

namespace pod::stage1::cgroups {
namespace {

constexpr int64_t kPageSize = 4096;

[[noreturn]] void refuse(const std::string& app, const std::string& isolator, const std::string& value,
                         const std::string& why) {
  Error err("app " + app + ": isolator " + isolator + " value " + value + " " + why);
  err.set_hint("fix the isolator in the image or pod manifest (or the --memory/--cpu flag)");
  throw err;
}

}  // namespace

Limits limits_of(const aci::App& app, const std::string& app_name, int64_t default_pids) {
  Limits out;
  for (const auto& iso : app.isolators) {
    if (iso.name == aci::kIsolatorMemory) {
      const auto* r = std::get_if<aci::ResourceIsolator>(&iso.parsed);
      if (r == nullptr || !r->limit) continue;
      int64_t bytes = r->limit->value();
      if (bytes < kPageSize)
        refuse(app_name, iso.name, r->limit->text, "is below one page (4096 bytes): nothing could run");
      out.memory_bytes = bytes;
    } else if (iso.name == aci::kIsolatorCpu) {
      const auto* r = std::get_if<aci::ResourceIsolator>(&iso.parsed);
      if (r == nullptr || !r->limit) continue;
      int64_t millis = r->limit->milli();
      if (millis < 1) refuse(app_name, iso.name, r->limit->text, "is below 1m (one thousandth of a CPU)");
      out.cpu_quota_millis = millis;
    } else if (iso.name == aci::kIsolatorCpuShares) {
      if (const auto* i = std::get_if<aci::IntIsolator>(&iso.parsed)) out.cpu_shares = i->value;
    } else if (iso.name == kIsolatorPidsLimit) {
      const auto& v = iso.value;
      if (!v.is_object() || !v.contains("max") || !v["max"].is_number_integer() || v["max"].get<int64_t>() < 1)
        refuse(app_name, iso.name, v.dump(), "must be {\"max\": N} with N >= 1");
      out.pids_max = v["max"].get<int64_t>();
    }
  }
  if (!out.pids_max && default_pids > 0) out.pids_max = default_pids;
  return out;
}

int64_t default_pids_max(int64_t kernel_pid_max) {
  int64_t v = kernel_pid_max * 15 / 100;
  return v < 1 ? 1 : v;
}

}  // namespace pod::stage1::cgroups
