// Isolators of appc spec ace.md and rkt: parsing, validation and serialisation.
#include "aci/isolators.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "aci/json_fields.hpp"
#include "aci/names.hpp"
#include "aci/validation_error.hpp"

namespace pod::aci {
namespace {

using json = nlohmann::json;
using namespace json_fields;

bool is_one_of(std::string_view name, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

std::optional<Quantity> optional_quantity(const json& value, std::string_view key, const std::string& field) {
  auto text = optional_string(value, key, field);
  if (!text) return std::nullopt;
  return Quantity::parse(*text, member(field, key));
}

ResourceIsolator parse_resource(const std::string& name, const json& value, const std::string& field) {
  require_object(value, field);
  ResourceIsolator r;
  r.request = optional_quantity(value, "request", field);
  r.limit = optional_quantity(value, "limit", field);
  r.device = optional_string(value, "device", field);
  r.is_default = optional_bool(value, "default", field);
  if (name == kIsolatorCpu || name == kIsolatorMemory) {
    if (!r.request && !r.limit) throw ValidationError(field, "needs a \"request\" or a \"limit\" (or both)");
    if (r.request && r.limit && r.request->milli() > r.limit->milli())
      throw ValidationError(member(field, "request"), "\"" + r.request->text +
                                                          "\" is more than the limit \"" + r.limit->text + "\"");
    return r;
  }
  // network-bandwidth, block-bandwidth, block-iops: a limit that applies by default, or to one device.
  if (!r.limit) throw ValidationError(member(field, "limit"), "is required");
  if (name == kIsolatorNetworkBandwidth && r.device)
    throw ValidationError(member(field, "device"), "is not a parameter of " + name);
  if (r.device) {
    if (r.device->empty() || (*r.device)[0] != '/')
      throw ValidationError(member(field, "device"), "must be an absolute path such as /dev/sda");
    if (r.is_default.value_or(false))
      throw ValidationError(member(field, "default"), "must not be true when a device is given");
  } else if (!r.is_default.value_or(false)) {
    throw ValidationError(member(field, "default"), "must be true (the limit applies to every device)");
  }
  return r;
}

std::vector<std::string> required_set(const json& value, const std::string& field) {
  require_object(value, field);
  auto set = as_string_array(require(value, "set", field), member(field, "set"));
  if (set.empty()) throw ValidationError(member(field, "set"), "must not be empty");
  return set;
}

CapabilitiesIsolator parse_capabilities(const json& value, const std::string& field) {
  CapabilitiesIsolator c;
  c.set = required_set(value, field);
  for (size_t i = 0; i < c.set.size(); ++i)
    if (!is_capability_name(c.set[i]))
      throw ValidationError(index(member(field, "set"), i),
                            "\"" + c.set[i] + "\" is not a Linux capability (names look like CAP_NET_ADMIN)");
  return c;
}

SeccompIsolator parse_seccomp(const json& value, const std::string& field) {
  SeccompIsolator s;
  s.set = required_set(value, field);
  for (size_t i = 0; i < s.set.size(); ++i)
    if (!is_seccomp_entry(s.set[i]))
      throw ValidationError(index(member(field, "set"), i),
                            "\"" + s.set[i] +
                                "\" is neither a syscall name (lower-case letters, digits, _) nor a group "
                                "such as @rkt/default-whitelist");
  // An empty errno is the spec's way of saying "kill with SIGSYS", as is no errno at all.
  auto errno_name = optional_string(value, "errno", field);
  if (errno_name && !errno_name->empty()) {
    if (!errno_from_name(*errno_name))
      throw ValidationError(member(field, "errno"),
                            "\"" + *errno_name + "\" is not an errno name (upper case, such as EPERM)");
    s.errno_name = errno_name;
  }
  return s;
}

}  // namespace

bool is_seccomp_entry(std::string_view entry) {
  if (entry.empty()) return false;
  if (entry[0] == '@') {
    std::string_view group = entry.substr(1);
    return group.find('/') != std::string_view::npos && is_ac_identifier(group);
  }
  return std::all_of(entry.begin(), entry.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

Isolator Isolator::from_json(const json& j, const std::string& field) {
  require_object(j, field);
  Isolator iso;
  iso.name = required_string(j, "name", field);
  validate_ac_identifier(iso.name, member(field, "name"));
  const std::string value_field = member(field, "value");
  // The spec's Isolator type requires "value", though for an isolator we do not know it may be null.
  if (!j.contains("value")) throw ValidationError(value_field, "is required");
  iso.value = j.at("value");
  const json* value = find(j, "value");
  iso.extra = unknown_members(j, {"name", "value"});
  const auto& n = iso.name;
  bool known = is_one_of(n, {kIsolatorCpu, kIsolatorMemory, kIsolatorNetworkBandwidth, kIsolatorBlockBandwidth,
                             kIsolatorBlockIops, kIsolatorCapsRetain, kIsolatorCapsRemove, kIsolatorNoNewPrivs,
                             kIsolatorSeccompRetain, kIsolatorSeccompRemove, kIsolatorOomScoreAdj,
                             kIsolatorCpuShares});
  if (!known) return iso;  // kept verbatim: a newer spec or another runtime may know it
  if (!value) throw ValidationError(value_field, "is required for " + n);
  if (is_one_of(n, {kIsolatorCpu, kIsolatorMemory, kIsolatorNetworkBandwidth, kIsolatorBlockBandwidth,
                    kIsolatorBlockIops})) {
    iso.parsed = parse_resource(n, *value, value_field);
  } else if (is_one_of(n, {kIsolatorCapsRetain, kIsolatorCapsRemove})) {
    iso.parsed = parse_capabilities(*value, value_field);
  } else if (is_one_of(n, {kIsolatorSeccompRetain, kIsolatorSeccompRemove})) {
    iso.parsed = parse_seccomp(*value, value_field);
  } else if (n == kIsolatorNoNewPrivs) {
    iso.parsed = BoolIsolator{as_bool(*value, value_field)};
  } else if (n == kIsolatorOomScoreAdj) {
    iso.parsed = IntIsolator{as_integer(*value, value_field, -1000, 1000)};
  } else if (n == kIsolatorCpuShares) {
    // The kernel's range for cpu.shares (cgroup v1); cgroup v2 weights are derived from it.
    iso.parsed = IntIsolator{as_integer(*value, value_field, 2, 262144)};
  }
  return iso;
}

json Isolator::to_json() const {
  json out = json::object();
  out["name"] = name;
  out["value"] = value;
  merge_extra(out, extra);
  return out;
}

void validate_isolator_list(const std::vector<Isolator>& isolators, const std::string& field) {
  // Retain and remove sets of the same kind contradict each other.
  static const std::map<std::string_view, std::string_view> kConflicts{
      {kIsolatorCapsRetain, kIsolatorCapsRemove},       {kIsolatorCapsRemove, kIsolatorCapsRetain},
      {kIsolatorSeccompRetain, kIsolatorSeccompRemove}, {kIsolatorSeccompRemove, kIsolatorSeccompRetain},
  };
  std::set<std::string_view> seen;
  for (size_t i = 0; i < isolators.size(); ++i) {
    const auto& name = isolators[i].name;
    const std::string item = member(index(field, i), "name");
    // Per-device limits may repeat, and so may capability sets and no-new-privileges (the
    // reference implementation allows them more than once); everything else only once.
    bool may_repeat = name == kIsolatorBlockBandwidth || name == kIsolatorBlockIops || name == kIsolatorCapsRetain ||
                      name == kIsolatorCapsRemove || name == kIsolatorNoNewPrivs ||
                      std::holds_alternative<std::monostate>(isolators[i].parsed);
    if (!seen.insert(name).second && !may_repeat)
      throw ValidationError(item, "\"" + name + "\" is given more than once");
    if (auto c = kConflicts.find(name); c != kConflicts.end() && seen.count(c->second))
      throw ValidationError(item, "\"" + name + "\" cannot be used together with \"" + std::string(c->second) +
                                      "\": keep one of them");
  }
}

}  // namespace pod::aci
