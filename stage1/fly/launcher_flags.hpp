// The launcher flags a pod was run with (--disable-seccomp ...), kept in stage1's own
// tree so that `enter` starts its command under the same restrictions as the app.
#pragma once

#include <string>
#include <vector>

#include "stage1/common/pod_layout.hpp"

namespace pod::stage1::fly {

void save_launcher_flags(const PodLayout& pod, const std::vector<std::string>& flags);
// Empty when the file is missing.
[[nodiscard]] std::vector<std::string> load_launcher_flags(const PodLayout& pod);

}  // namespace pod::stage1::fly
