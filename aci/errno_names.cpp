// errno names for the seccomp isolators' "errno" parameter.
#include <string.h>

#include <cerrno>
#include <optional>
#include <utility>

#include "aci/isolators.hpp"

namespace pod::aci {

std::optional<int> errno_from_name(std::string_view name) {
  // Names that share a number with another: strerrorname_np returns only one of each pair.
  static constexpr std::pair<std::string_view, int> kAliases[] = {
      {"ENOTSUP", ENOTSUP}, {"EWOULDBLOCK", EWOULDBLOCK}, {"EDEADLOCK", EDEADLOCK}};
  for (const auto& [alias, number] : kAliases)
    if (name == alias) return number;
  // glibc knows every name of this kernel's errno table; asking it avoids a copy that goes
  // stale. The table ends well below 4096 (the kernel's MAX_ERRNO).
  for (int e = 1; e < 4096; ++e) {
    const char* known = strerrorname_np(e);
    if (known && name == known) return e;
  }
  return std::nullopt;
}

}  // namespace pod::aci
