#include "stage0/fetch/retry_policy.hpp"

#include <algorithm>

namespace pod::fetch {

std::vector<std::chrono::milliseconds> RetryPolicy::schedule() const {
  std::vector<std::chrono::milliseconds> out;
  std::chrono::milliseconds spent{0};
  double next = static_cast<double>(first_delay.count());
  for (int attempt = 2; attempt <= max_attempts; ++attempt) {
    auto delay = std::min(std::chrono::milliseconds(static_cast<long long>(next)), max_delay);
    if (spent + delay > total_budget) break;
    out.push_back(delay);
    spent += delay;
    next *= factor;
  }
  return out;
}

bool is_transient_status(long status) { return status == 429 || (status >= 500 && status <= 599); }

}  // namespace pod::fetch
