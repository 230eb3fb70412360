// Command lines of the nspawn entrypoints, as stage0 calls them (interface version 6,
// Documentation/stage1-abi.md).
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::nspawn {

struct RunOptions {
  bool debug = false;
  bool interactive = false;
  bool disable_capabilities_restriction = false;
  bool disable_paths = false;
  bool disable_seccomp = false;
  bool private_users = false;
  std::vector<std::string> net;  // each --net= value as given (comma lists kept whole)
  std::string hostname;
  std::vector<std::string> dns;
  std::vector<std::string> dns_search;
  std::vector<std::string> dns_opt;
  std::string dns_domain;
  std::vector<std::string> hosts_entries;
  std::string local_config;
  std::string system_config;
  // stage0's --mds-register: the pod's metadata token and the service's port (mds/).
  std::string mds_token;
  std::string mds_port;
  std::vector<std::string> unknown;  // flags of newer stage0s, reported with --debug
  std::string uuid;
};

struct EnterOptions {
  int pid = 0;
  std::string app;                   // --appname; may be empty for a one-app pod
  std::vector<std::string> command;  // after "--"; empty: /bin/sh
  bool debug = false;
};

struct StopOptions {
  bool force = false;
  std::string uuid;
};

struct GcOptions {
  bool debug = false;
  std::string uuid;
};

// Each throws UsageError naming the bad argument.
[[nodiscard]] RunOptions parse_run_options(const std::vector<std::string>& args);
[[nodiscard]] EnterOptions parse_enter_options(const std::vector<std::string>& args);
[[nodiscard]] StopOptions parse_stop_options(const std::vector<std::string>& args);
[[nodiscard]] GcOptions parse_gc_options(const std::vector<std::string>& args);

}  // namespace pod::stage1::nspawn
