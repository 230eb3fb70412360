// Command lines of the fly entrypoints, as stage0 calls them (Documentation/stage1-abi.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pod::stage1::fly {

struct RunOptions {
  bool debug = false;
  bool interactive = false;
  bool disable_capabilities_restriction = false;
  bool disable_paths = false;
  bool disable_seccomp = false;
  std::vector<std::string> net;  // --net=a,b (fly has only the host's network)
  std::string hostname;          // fly shares the host's UTS namespace: not applied
  std::vector<std::string> dns;
  std::string local_config;
  std::string mds_token;
  std::vector<std::string> unknown;  // flags of newer stage0s, reported with --debug
  std::string uuid;
};

struct EnterOptions {
  int pid = 0;
  std::string app;  // --appname; may be empty for a single-app pod
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

}  // namespace pod::stage1::fly
