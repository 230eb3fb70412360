// Command lines of the fly entrypoints, as stage0 calls them (Documentation/stage1-abi.md).
#pragma once

#include <string>
#include <vector>

#include "stage1/common/entrypoint_options.hpp"

namespace pod::stage1::fly {

struct RunOptions : CommonRunOptions {
  std::vector<std::string> net;  // --net=a,b (fly has only the host's network); hostname is
                                 // not applied either: fly shares the host's UTS namespace
  std::string mds_token;
};

// enter, stop and gc take the same command lines in every flavor.
using EnterOptions = stage1::EnterOptions;
using StopOptions = stage1::StopOptions;
using GcOptions = stage1::GcOptions;

// Each throws UsageError naming the bad argument.
[[nodiscard]] RunOptions parse_run_options(const std::vector<std::string>& args);
[[nodiscard]] EnterOptions parse_enter_options(const std::vector<std::string>& args);
[[nodiscard]] StopOptions parse_stop_options(const std::vector<std::string>& args);
[[nodiscard]] GcOptions parse_gc_options(const std::vector<std::string>& args);

}  // namespace pod::stage1::fly
