// Isolators of the appc spec and rkt: parsed, validated and serialised back.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pod::aci {

// A Kubernetes-style quantity as the spec uses for resources: "500m", "1", "1G", "512Mi".
struct Quantity {
  std::string text;  // as written, kept for round trips
  // The value in milli-units (cpu: millicores; memory: milli-bytes is not used, see bytes()).
  [[nodiscard]] int64_t milli() const;
  [[nodiscard]] int64_t value() const;  // rounded up to whole units (bytes for memory)
  static Quantity parse(const std::string& text, const std::string& field);  // validates
};

struct ResourceIsolator {  // resource/cpu, resource/memory, network-bandwidth, block-*
  std::optional<Quantity> request;
  std::optional<Quantity> limit;
  std::optional<std::string> device;  // block-bandwidth, block-iops
  // network-bandwidth, block-*: "default": true applies the limit to every device/interface.
  std::optional<bool> is_default;
};

struct CapabilitiesIsolator {  // os/linux/capabilities-{retain,remove}-set
  std::vector<std::string> set;  // "CAP_NET_ADMIN", validated against the kernel's names
};

struct SeccompIsolator {  // os/linux/seccomp-{retain,remove}-set
  std::vector<std::string> set;  // syscall names, or "@group" (rkt's groups such as @rkt/default-whitelist)
  std::optional<std::string> errno_name;  // "EPERM": the errno for filtered calls, else SIGSYS kill
};

struct BoolIsolator {  // os/linux/no-new-privileges
  bool value = false;
};

struct IntIsolator {  // os/linux/oom-score-adj (-1000..1000), os/linux/cpu-shares (2..262144)
  int64_t value = 0;
};

struct Isolator {
  std::string name;       // e.g. "resource/memory"
  nlohmann::json value;   // exactly as given, for round trips and unknown isolators
  std::variant<std::monostate, ResourceIsolator, CapabilitiesIsolator, SeccompIsolator, BoolIsolator,
               IntIsolator>
      parsed;  // monostate for isolators this implementation does not know
  nlohmann::json extra = nlohmann::json::object();  // unknown fields beside name and value, kept

  // Parses and validates a known isolator's value (an unknown name is kept, not an error).
  static Isolator from_json(const nlohmann::json& j, const std::string& field);
  [[nodiscard]] nlohmann::json to_json() const;
};

// Known isolator names.
inline constexpr const char* kIsolatorCpu = "resource/cpu";
inline constexpr const char* kIsolatorMemory = "resource/memory";
inline constexpr const char* kIsolatorNetworkBandwidth = "resource/network-bandwidth";
inline constexpr const char* kIsolatorBlockBandwidth = "resource/block-bandwidth";
inline constexpr const char* kIsolatorBlockIops = "resource/block-iops";
inline constexpr const char* kIsolatorCapsRetain = "os/linux/capabilities-retain-set";
inline constexpr const char* kIsolatorCapsRemove = "os/linux/capabilities-remove-set";
inline constexpr const char* kIsolatorNoNewPrivs = "os/linux/no-new-privileges";
inline constexpr const char* kIsolatorSeccompRetain = "os/linux/seccomp-retain-set";
inline constexpr const char* kIsolatorSeccompRemove = "os/linux/seccomp-remove-set";
inline constexpr const char* kIsolatorOomScoreAdj = "os/linux/oom-score-adj";
inline constexpr const char* kIsolatorCpuShares = "os/linux/cpu-shares";

// Linux capability names the kernel knows ("CAP_CHOWN" ...).
[[nodiscard]] bool is_capability_name(std::string_view name);
// Every capability name the kernel knows, in the kernel's numbering order.
[[nodiscard]] const std::vector<std::string_view>& capability_names();

// The errno number of an upper-case errno name ("EPERM" -> 1), nullopt when unknown.
[[nodiscard]] std::optional<int> errno_from_name(std::string_view name);
// A seccomp set entry: a syscall name ("clock_settime") or a scoped group ("@rkt/default-whitelist").
// Only the syntax is checked here; which groups exist is the seccomp filter builder's business.
[[nodiscard]] bool is_seccomp_entry(std::string_view entry);

// Rules that span several isolators of one app or pod: a retain set and a remove set of the
// same kind cannot be used together, and no isolator may be given twice.
void validate_isolator_list(const std::vector<Isolator>& isolators, const std::string& field);

}  // namespace pod::aci
