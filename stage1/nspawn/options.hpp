// Command lines of the nspawn entrypoints, as stage0 calls them (interface version 6,
// Documentation/stage1-abi.md).
#pragma once

#include <string>
#include <vector>

#include "stage1/common/entrypoint_options.hpp"

namespace pod::stage1::nspawn {

struct RunOptions : CommonRunOptions {
  bool private_users = false;
  std::vector<std::string> net;  // each --net= value as given (comma lists kept whole)
  std::vector<std::string> dns_search;
  std::vector<std::string> dns_opt;
  std::string dns_domain;
  std::vector<std::string> hosts_entries;
  std::string system_config;
  // stage0's --mds-register: the pod's metadata token and the service's port (mds/).
  std::string mds_token;
  std::string mds_port;
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

}  // namespace pod::stage1::nspawn
