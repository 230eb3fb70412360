#include "stage2/oom_score_adj.hpp"

#include <fcntl.h>

#include <string>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pod::stage2 {

std::optional<int> oom_score_adj_of(const aci::App& app) {
  const aci::Isolator* iso = app.find_isolator(aci::kIsolatorOomScoreAdj);
  if (!iso) return std::nullopt;
  if (const auto* v = std::get_if<aci::IntIsolator>(&iso->parsed)) return static_cast<int>(v->value);
  if (iso->value.is_number_integer()) return iso->value.get<int>();
  throw Error("isolator os/linux/oom-score-adj: value is not an integer");
}

void apply_oom_score_adj(int value) {
  with_context("setting oom_score_adj to " + std::to_string(value), [&] {
    auto fd = open_fd("/proc/self/oom_score_adj", O_WRONLY);
    write_all(fd.get(), std::to_string(value), "/proc/self/oom_score_adj");
  });
}

}  // namespace pod::stage2
