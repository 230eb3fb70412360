#include <cstdio>

#include "common/duration.hpp"
#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/gc.hpp"

namespace pod::cli {

Command gc_command() {
  Command c;
  c.name = "gc";
  c.summary = "Garbage-collect exited pods";
  c.usage = "pod gc [--grace-period=30m] [--expire-prepared=24h] [--mark-only]";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()
        ("grace-period", "how long exited pods stay in garbage before they are removed",
         cxxopts::value<std::string>()->default_value("30m"))
        ("expire-prepared", "how long prepared pods stay before they are collected",
         cxxopts::value<std::string>()->default_value("24h"))
        ("mark-only", "only move exited pods to garbage; remove nothing",
         cxxopts::value<bool>()->default_value("false"));
    auto res = p.parse(inv.args, inv.global);
    require_no_arguments(res, "gc", "to remove one pod, use 'pod rm UUID'");
    pods::GcOptions opts;
    opts.grace_period = parse_duration(res["grace-period"].as<std::string>());
    opts.expire_prepared = parse_duration(res["expire-prepared"].as<std::string>());
    opts.mark_only = res["mark-only"].as<bool>();
    auto report = pods::gc_pods(inv.global.dir, opts, inv.global.logger());
    return report.failed.empty() ? 0 : kExitFailure;
  };
  return c;
}

}  // namespace pod::cli
