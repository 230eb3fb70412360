// Linux capabilities of the app: the isolators os/linux/capabilities-retain-set and
// -remove-set (ace.md) decide the bounding set; the launcher then gives a root app that
// set as permitted/effective/inheritable, and a non-root app nothing unless a retain
// set names capabilities explicitly, which it then gets as ambient capabilities (so an
// app running as "user" with a retain set of CAP_NET_BIND_SERVICE can bind port 80).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aci/manifest.hpp"

namespace pod::stage2 {

// The 14 capabilities of the appc spec's default set (rkt's default).
[[nodiscard]] const std::vector<std::string>& default_capability_names();

// "CAP_NET_RAW" -> 13; throws Error naming the capability when the name is unknown.
[[nodiscard]] int capability_number(std::string_view name);

struct CapabilityPlan {
  bool unrestricted = false;          // --disable-capabilities-restriction: nothing is dropped
  std::vector<int> bounding;          // capability numbers kept, ascending
  bool ambient_for_non_root = false;  // a retain set was given: non-root apps keep it as ambient
};

// Throws Error naming the app when both a retain and a remove set are given.
[[nodiscard]] CapabilityPlan plan_capabilities(const aci::App& app, const std::string& app_name,
                                               bool disable_restriction);

// Before the uid changes: drops every capability outside the plan from the bounding set
// (needs CAP_SETPCAP, which the launcher has as root).
void apply_bounding_set(const CapabilityPlan& plan);
// Called before setresuid: keeps the permitted set across the uid change when a non-root
// app is to get ambient capabilities.
void prepare_keep_capabilities(const CapabilityPlan& plan, uint32_t uid);
// After the uid changed: sets permitted/effective/inheritable (and ambient for non-root).
void apply_process_capabilities(const CapabilityPlan& plan, uint32_t uid);

// Whether CAP_SYS_ADMIN is in this process's effective set now (seccomp without it needs
// no_new_privs).
[[nodiscard]] bool has_effective_sys_admin();

}  // namespace pod::stage2
