// os/linux/oom-score-adj: how readily the kernel's OOM killer picks the app.
#pragma once

#include <optional>

#include "aci/manifest.hpp"

namespace pod::stage2 {

// The isolator's value, nullopt when the app has none (the inherited value stays).
[[nodiscard]] std::optional<int> oom_score_adj_of(const aci::App& app);
// Writes /proc/self/oom_score_adj (lowering it needs CAP_SYS_RESOURCE: call before dropping).
void apply_oom_score_adj(int value);

}  // namespace pod::stage2
