// The named syscall groups a seccomp set may use ("@scope/name"): appc's, rkt's and
// Docker's defaults, so images written for rkt keep their meaning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::stage2 {

// Syscalls of a group, nullopt when the group is not known. @appc.io/all and
// @appc.io/empty are not lists and are handled by the caller.
[[nodiscard]] std::optional<std::vector<std::string>> seccomp_group(std::string_view name);
// Names of every known list group, for error messages.
[[nodiscard]] std::vector<std::string> seccomp_group_names();

}  // namespace pod::stage2
