// Resource limits of the app (setrlimit(2)). appc has no rlimit isolator; the launcher
// applies systemd's service defaults, which is what rkt's apps (systemd services in
// stage1) got, and takes explicit limits from --rlimit=NAME=SOFT[:HARD].
#pragma once

#include <sys/resource.h>

#include <string>
#include <string_view>
#include <vector>

namespace pod::stage2 {

struct RlimitSetting {
  int resource = 0;
  std::string name;  // "NOFILE"
  rlim_t soft = 0;
  rlim_t hard = 0;
  // A default rather than an explicit request: when the kernel refuses to raise the hard
  // limit (no CAP_SYS_RESOURCE), the current hard limit is kept instead of failing.
  bool best_effort = false;
  friend bool operator==(const RlimitSetting&, const RlimitSetting&) = default;
};

// "NOFILE=1024:4096", "NOFILE=4096" (soft = hard), "CORE=unlimited", "RLIMIT_NPROC=100:200".
// Throws UsageError naming the text for an unknown resource, a bad number or soft > hard.
[[nodiscard]] RlimitSetting parse_rlimit(std::string_view text);
// The resource number of "NOFILE" / "RLIMIT_NOFILE", -1 when unknown.
[[nodiscard]] int rlimit_resource(std::string_view name);

// RLIMIT_NOFILE 1024:524288 (the hard limit capped at the kernel's fs.nr_open), best effort.
[[nodiscard]] std::vector<RlimitSetting> default_rlimits(rlim_t nr_open);
// Defaults overridden by explicit settings of the same resource.
[[nodiscard]] std::vector<RlimitSetting> merge_rlimits(std::vector<RlimitSetting> defaults,
                                                       const std::vector<RlimitSetting>& explicit_settings);

// Reads /proc/sys/fs/nr_open (1048576 when it cannot be read).
[[nodiscard]] rlim_t kernel_nr_open();
void apply_rlimits(const std::vector<RlimitSetting>& settings);

}  // namespace pod::stage2
