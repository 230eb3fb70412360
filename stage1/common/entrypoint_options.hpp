// The command-line grammar of the stage1 entrypoints, as stage0 calls them (interface
// version 6, Documentation/stage1-abi.md), shared by every flavor: rkt's Go flag syntax
// ("--name", "--name=value", "--name value"; booleans only the first two), the pod's UUID
// as the one positional argument, and the enter, stop and gc command lines, whose shape is
// the same in every flavor. Each flavor's run flags are its own (options.hpp of the flavor):
// it parses them through parse_run_flags with a handler for the names it knows.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pod::stage1 {

struct EntrypointFlag {
  std::string name;                  // without the dashes
  std::optional<std::string> value;  // after '=', if any
  std::string arg;                   // as given
};

// The value of a boolean flag ("--x", "--x=true|1|false|0"); throws UsageError otherwise.
[[nodiscard]] bool flag_bool(const EntrypointFlag& f);

// Hands a flag handler the flag's value: after '=' or, failing that, the next argument.
class FlagValues {
 public:
  FlagValues(const std::vector<std::string>& args, size_t& index) : args_(args), index_(index) {}
  [[nodiscard]] std::string take(const EntrypointFlag& f) const;

 private:
  const std::vector<std::string>& args_;
  size_t& index_;
};

// The run flags every flavor takes; a flavor's RunOptions extends it with its own.
struct CommonRunOptions {
  bool debug = false;
  bool interactive = false;
  bool disable_capabilities_restriction = false;
  bool disable_paths = false;
  bool disable_seccomp = false;
  std::string hostname;
  std::vector<std::string> dns;
  std::string local_config;
  std::vector<std::string> unknown;  // flags of newer stage0s, reported with --debug
  std::string uuid;
};

// Takes `f` into `o` when it is one of the common run flags; false otherwise.
[[nodiscard]] bool take_common_run_flag(const EntrypointFlag& f, const FlagValues& values, CommonRunOptions& o);

// A flavor's run flags: true when it knows the flag (having taken what it needs).
using RunFlagHandler = std::function<bool(const EntrypointFlag&, const FlagValues&)>;

// Parses run's command line: each flag through `handle`, the ones it does not know into
// `unknown` (flags of newer stage0s, reported with --debug); the one positional argument
// is the UUID. Throws UsageError for a second positional argument or none.
void parse_run_flags(const std::vector<std::string>& args, const RunFlagHandler& handle, std::string& uuid,
                     std::vector<std::string>& unknown);

// The values of a comma-list flag, appended ("a,,b" -> a, b).
void append_list(std::vector<std::string>& out, const std::string& value);

struct EnterOptions {
  int pid = 0;
  std::string app;                   // --appname; may be empty for a one-app pod
  std::vector<std::string> command;  // after "--" or the first non-flag; empty: /bin/sh
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

// Where the flavors' enter/stop/gc command lines differ.
struct EntrypointRules {
  bool stop_takes_debug = false;  // fly: stop accepts (and ignores) --debug
  // gc: flags taken with a value and ignored (fly: --local-config); with
  // gc_ignores_unknown, any other flag is skipped (flags of newer stage0s) instead of refused.
  std::vector<std::string> gc_valued_flags;
  bool gc_ignores_unknown = false;
};

// Each throws UsageError naming the bad argument.
[[nodiscard]] EnterOptions parse_enter_flags(const std::vector<std::string>& args);
[[nodiscard]] StopOptions parse_stop_flags(const std::vector<std::string>& args, const EntrypointRules& rules);
[[nodiscard]] GcOptions parse_gc_flags(const std::vector<std::string>& args, const EntrypointRules& rules);

}  // namespace pod::stage1
