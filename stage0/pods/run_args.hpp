// The command line of `pod run` / `pod prepare`, which is not a flat flag list:
//   [pod flags] IMAGE [app flags] [-- ARGS...] [--- IMAGE [app flags] [-- ARGS...]]...
// Per-app flags follow their image (rkt's rule; app flags before the first image apply to
// the first image too, except --mount, which there applies to every app unless the app
// mounts something at the same path). `--` starts the app's arguments, `---` ends them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aci/manifest.hpp"

namespace pod::pods {

// Per-app options: each overrides what the image's manifest says.
struct AppOptions {
  std::string image;              // as given: name[:version][,label=..], an ID, a path or a URL
  std::vector<std::string> args;  // after "--"
  std::optional<std::string> exec;
  std::optional<std::string> name;
  std::optional<std::string> user;
  std::optional<std::string> group;
  std::optional<std::vector<uint32_t>> supplementary_gids;
  std::optional<std::string> working_dir;
  std::vector<std::pair<std::string, std::string>> set_env;  // --environment/--set-env, in order
  std::vector<std::string> set_env_files;
  std::vector<aci::Mount> mounts;
  std::optional<bool> readonly_rootfs;
  std::optional<std::string> cpu;     // resource/cpu limit (and request)
  std::optional<std::string> memory;  // resource/memory limit (and request)
  std::optional<int64_t> cpu_shares;
  std::optional<std::vector<std::string>> caps_retain;
  std::optional<std::vector<std::string>> caps_remove;
  std::optional<std::string> seccomp;  // "mode=retain,errno=EPERM,chmod,chown"
  std::optional<int> oom_score_adj;
  std::vector<aci::NameValue> annotations;  // per-app --annotation, on the RuntimeApp
};

struct SplitArgs {
  std::vector<std::string> pod_args;  // pod and global flags, for the command's flag parser
  std::vector<AppOptions> apps;
  // --set-env/--set-env-file before the first image: for every app, over its own
  // --environment (rkt's order).
  std::vector<std::pair<std::string, std::string>> pod_set_env;
  std::vector<std::string> pod_set_env_files;
};

// Is `--name` (without dashes, e.g. "exec") a per-app flag, and does it take a value?
[[nodiscard]] bool is_app_flag(std::string_view name);
// Pod and global flags that take their value as the next argument when not --f=v.
[[nodiscard]] bool pod_flag_takes_value(std::string_view name);

// Splits and parses the per-app flags; throws UsageError naming the flag.
[[nodiscard]] SplitArgs split_run_args(const std::vector<std::string>& args);

// One app flag applied to `app` (name without dashes). Exposed for tests.
void apply_app_flag(AppOptions& app, const std::string& name, const std::string& value);

// Help lines for the per-app flags (for `pod run --help`).
[[nodiscard]] std::string app_flags_help();

}  // namespace pod::pods
