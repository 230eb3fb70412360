#include "stage2/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <memory>
#include <set>

#include "aci/isolators.hpp"
#include "common/error.hpp"

namespace pod::stage2 {
namespace {

struct CapFree {
  void operator()(void* p) const noexcept { (void)cap_free(p); }  // nothing to do on failure
};
using CapHandle = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

// Capabilities the running kernel knows; names beyond it cannot be dropped or kept.
int last_kernel_capability() { return static_cast<int>(cap_max_bits()) - 1; }

}  // namespace

const std::vector<std::string>& default_capability_names() {
  static const std::vector<std::string> names{
      "CAP_AUDIT_WRITE", "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",
      "CAP_FOWNER",      "CAP_KILL",   "CAP_MKNOD",        "CAP_NET_RAW",
      "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP",
      "CAP_SETFCAP",     "CAP_SYS_CHROOT"};
  return names;
}

int capability_number(std::string_view name) {
  const auto& names = aci::capability_names();
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    Error err("unknown capability \"" + std::string(name) + "\"");
    err.set_hint("capability names are upper case with the CAP_ prefix, e.g. CAP_NET_BIND_SERVICE");
    throw err;
  }
  return static_cast<int>(it - names.begin());
}

CapabilityPlan plan_capabilities(const aci::App& app, const std::string& app_name,
                                 bool disable_restriction) {
  CapabilityPlan plan;
  if (disable_restriction) {
    plan.unrestricted = true;
    return plan;
  }
  const aci::Isolator* retain = app.find_isolator(aci::kIsolatorCapsRetain);
  const aci::Isolator* remove = app.find_isolator(aci::kIsolatorCapsRemove);
  if (retain && remove) {
    Error err("app " + app_name + ": os/linux/capabilities-retain-set and "
              "os/linux/capabilities-remove-set cannot be used together");
    err.set_hint("keep one of the two isolators (or one of --caps-retain/--caps-remove)");
    throw err;
  }
  auto set_of = [&](const aci::Isolator* iso) {
    const auto* caps = std::get_if<aci::CapabilitiesIsolator>(&iso->parsed);
    if (!caps) throw Error("app " + app_name + ": isolator " + iso->name + " has no valid set");
    return caps->set;
  };
  std::set<int> keep;
  with_context("app " + app_name, [&] {
    if (retain) {
      for (const auto& name : set_of(retain)) keep.insert(capability_number(name));
      plan.ambient_for_non_root = true;
    } else {
      for (const auto& name : default_capability_names()) keep.insert(capability_number(name));
      if (remove) {
        for (const auto& name : set_of(remove)) keep.erase(capability_number(name));
      }
    }
  });
  plan.bounding.assign(keep.begin(), keep.end());
  return plan;
}

void apply_bounding_set(const CapabilityPlan& plan) {
  if (plan.unrestricted) return;
  for (int cap = 0; cap <= last_kernel_capability(); ++cap) {
    if (std::binary_search(plan.bounding.begin(), plan.bounding.end(), cap)) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0) {
      throw_errno("dropping " + std::string(aci::capability_names().at(cap)) +
                  " from the capability bounding set");
    }
  }
}

void prepare_keep_capabilities(const CapabilityPlan& plan, uint32_t uid) {
  if (plan.unrestricted || uid == 0 || !plan.ambient_for_non_root || plan.bounding.empty()) return;
  check_sys(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "keeping capabilities across the uid change");
}

void apply_process_capabilities(const CapabilityPlan& plan, uint32_t uid) {
  if (plan.unrestricted) return;
  std::vector<cap_value_t> values;
  bool grant = uid == 0 || plan.ambient_for_non_root;
  if (grant) {
    for (int cap : plan.bounding) {
      if (cap <= last_kernel_capability()) values.push_back(static_cast<cap_value_t>(cap));
    }
  }
  CapHandle caps(cap_init());
  if (!caps) throw_errno("allocating a capability set");
  if (!values.empty()) {
    int n = static_cast<int>(values.size());
    for (cap_flag_t flag : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE}) {
      if (cap_set_flag(caps.get(), flag, n, values.data(), CAP_SET) != 0)
        throw_errno("building the capability set");
    }
  }
  if (cap_set_proc(caps.get()) != 0) throw_errno("setting the app's capabilities");
  if (uid != 0) {
    for (cap_value_t v : values) {
      if (cap_set_ambient(v, CAP_SET) != 0)
        throw_errno("raising ambient capability " + std::string(aci::capability_names().at(v)));
    }
    (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);  // only tidiness: execve clears it anyway
  }
}

bool has_effective_sys_admin() {
  CapHandle caps(cap_get_proc());
  if (!caps) return false;
  cap_flag_value_t value = CAP_CLEAR;
  if (cap_get_flag(caps.get(), CAP_SYS_ADMIN, CAP_EFFECTIVE, &value) != 0) return false;
  return value == CAP_SET;
}

}  // namespace pod::stage2
