// Go-style durations as rkt's flags take them: "30m", "1h30m", "10s", "500ms", "0".
#pragma once

#include <chrono>
#include <string_view>

namespace pod {

// Throws UsageError naming the text when it is not a duration.
[[nodiscard]] std::chrono::milliseconds parse_duration(std::string_view text);

}  // namespace pod
