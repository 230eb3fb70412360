#include "stage2/seccomp.hpp"

#include <seccomp.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <set>

#include "aci/isolators.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage2/capabilities.hpp"
#include "stage2/seccomp_groups.hpp"

namespace pod::stage2 {
namespace {

struct FilterRelease {
  void operator()(void* ctx) const noexcept { seccomp_release(ctx); }
};
using FilterHandle = std::unique_ptr<void, FilterRelease>;

}  // namespace

SeccompPlan default_seccomp_plan() {
  SeccompPlan plan;
  plan.mode = SeccompMode::allow_list;
  plan.syscalls = *seccomp_group("@rkt/default-whitelist");
  std::sort(plan.syscalls.begin(), plan.syscalls.end());
  plan.errno_value = EPERM;
  plan.is_default = true;
  return plan;
}

SeccompPlan plan_seccomp(const aci::App& app, const std::string& app_name, bool disabled) {
  if (disabled) return SeccompPlan{};
  const aci::Isolator* retain = app.find_isolator(aci::kIsolatorSeccompRetain);
  const aci::Isolator* remove = app.find_isolator(aci::kIsolatorSeccompRemove);
  if (retain && remove) {
    Error err("app " + app_name + ": os/linux/seccomp-retain-set and "
              "os/linux/seccomp-remove-set cannot be used together");
    err.set_hint("keep one of the two isolators (or one --seccomp mode)");
    throw err;
  }
  const aci::Isolator* iso = retain ? retain : remove;
  if (!iso) return default_seccomp_plan();
  const auto* set = std::get_if<aci::SeccompIsolator>(&iso->parsed);
  if (!set) throw Error("app " + app_name + ": isolator " + iso->name + " has no valid set");

  SeccompPlan plan;
  plan.mode = retain ? SeccompMode::allow_list : SeccompMode::deny_list;
  std::set<std::string> names;
  for (const auto& entry : set->set) {
    if (entry == "@appc.io/all") {
      if (retain) return SeccompPlan{};  // opting out of filtering
      continue;                          // blocking everything is not what a remove set means
    }
    if (entry == "@appc.io/empty") {
      if (remove) return default_seccomp_plan();  // opting in to the default filter
      continue;
    }
    if (starts_with(entry, "@")) {
      auto group = seccomp_group(entry);
      if (!group) {
        Error err("app " + app_name + ": " + iso->name + ": unknown seccomp group \"" + entry + "\"");
        err.set_hint("known groups: " + join(seccomp_group_names(), ", "));
        throw err;
      }
      names.insert(group->begin(), group->end());
      continue;
    }
    names.insert(entry);
  }
  plan.syscalls.assign(names.begin(), names.end());
  if (set->errno_name && !set->errno_name->empty()) {
    auto number = aci::errno_from_name(*set->errno_name);
    if (!number) {
      Error err("app " + app_name + ": " + iso->name + ": unknown errno \"" + *set->errno_name + "\"");
      err.set_hint("use an errno name such as EPERM or ENOSYS (see errno(3))");
      throw err;
    }
    plan.errno_value = *number;
  }
  return plan;
}

bool permits_launcher_setup(const SeccompPlan& plan) {
  static const char* const kSetupCalls[] = {"capget",    "capset",    "prctl",   "setgroups",
                                            "setresgid", "setresuid", "execve",  "write",
                                            "exit_group", "close"};
  for (const char* call : kSetupCalls) {
    bool listed = std::binary_search(plan.syscalls.begin(), plan.syscalls.end(), call);
    if (plan.mode == SeccompMode::allow_list && !listed) return false;
    if (plan.mode == SeccompMode::deny_list && listed) return false;
  }
  return true;
}

std::vector<std::string> load_seccomp_filter(const SeccompPlan& plan) {
  std::vector<std::string> skipped;
  if (plan.mode == SeccompMode::disabled) return skipped;
  uint32_t blocked = plan.errno_value ? SCMP_ACT_ERRNO(static_cast<uint32_t>(*plan.errno_value))
                                      : SCMP_ACT_KILL_PROCESS;
  bool allow_list = plan.mode == SeccompMode::allow_list;
  FilterHandle ctx(seccomp_init(allow_list ? blocked : SCMP_ACT_ALLOW));
  if (!ctx) throw Error("initialising the seccomp filter", ENOMEM);
  // no_new_privs is set below only when the kernel demands it, not by libseccomp always.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) throw Error("configuring the seccomp filter", -rc);
  for (const auto& name : plan.syscalls) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      skipped.push_back(name);
      continue;
    }
    rc = seccomp_rule_add(ctx.get(), allow_list ? SCMP_ACT_ALLOW : blocked, nr, 0);
    // Pseudo-syscalls that are not real on this architecture come back as -EDOM/-EINVAL.
    if (rc == -EDOM || rc == -EINVAL) {
      skipped.push_back(name);
      continue;
    }
    if (rc < 0) throw Error("adding " + name + " to the seccomp filter", -rc);
  }
  if (!has_effective_sys_admin()) {
    check_sys(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
              "setting no_new_privs, which a seccomp filter without CAP_SYS_ADMIN requires");
  }
  rc = seccomp_load(ctx.get());
  if (rc < 0) throw Error("loading the seccomp filter", -rc);
  return skipped;
}

}  // namespace pod::stage2
