// RFC 4122 version 4 UUIDs, as pods are named.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pod {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower case, from getrandom(2).
[[nodiscard]] std::string new_uuid();
// True for the canonical 36-character form (any version), lower or upper case.
[[nodiscard]] bool is_uuid(std::string_view s);
// Lower-cases and validates; nullopt when it is not a UUID.
[[nodiscard]] std::optional<std::string> normalize_uuid(std::string_view s);

}  // namespace pod
