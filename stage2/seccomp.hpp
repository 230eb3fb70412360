// The app's seccomp filter: os/linux/seccomp-retain-set / -remove-set (ace.md) with
// rkt's groups, or the default filter when the app has neither.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aci/manifest.hpp"

namespace pod::stage2 {

enum class SeccompMode {
  disabled,   // --disable-seccomp, or a retain set with @appc.io/all
  allow_list, // only `syscalls` are allowed
  deny_list,  // everything but `syscalls` is allowed
};

struct SeccompPlan {
  SeccompMode mode = SeccompMode::disabled;
  std::vector<std::string> syscalls;  // sorted, unique
  // What a filtered call gets: this errno, or (nullopt) the app is killed with SIGSYS as
  // the spec requires when an isolator gives no errno.
  std::optional<int> errno_value;
  bool is_default = false;  // the app had no seccomp isolator
};

// The filter used when an app has no seccomp isolator: rkt's default allow list, with
// filtered calls failing with EPERM instead of killing the app (a libc probing a syscall
// newer than the list copes with an error, not with SIGSYS).
[[nodiscard]] SeccompPlan default_seccomp_plan();

// Throws Error naming the app for two seccomp isolators, an unknown group or errno name.
[[nodiscard]] SeccompPlan plan_seccomp(const aci::App& app, const std::string& app_name,
                                       bool disabled);

// Whether the filter lets the launcher finish its set-up once loaded (capset, prctl,
// setgroups, setresgid, setresuid, execve, and write/exit_group to report a failure).
// Then it is loaded while the launcher still has CAP_SYS_ADMIN, which spares the app the
// no_new_privs the kernel otherwise demands, as rkt spared root apps.
[[nodiscard]] bool permits_launcher_setup(const SeccompPlan& plan);

// Loads the filter into this process (it then applies across execve). Syscall names this
// architecture does not have are skipped and returned, for --debug. Without CAP_SYS_ADMIN
// the kernel requires no_new_privs for a filter, so it is set first in that case.
std::vector<std::string> load_seccomp_filter(const SeccompPlan& plan);

}  // namespace pod::stage2
