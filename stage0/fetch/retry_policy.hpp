// Retries of transient network failures with exponential back-off, bounded both
// in attempts and in total time, so a dead server fails fast enough for a script
// and a briefly overloaded one is still reached.
#pragma once

#include <chrono>
#include <vector>

namespace pod::fetch {

struct RetryPolicy {
  int max_attempts = 5;                            // the first try included
  std::chrono::milliseconds first_delay{250};      // before the second attempt
  double factor = 2.0;                             // each delay grows by this
  std::chrono::milliseconds max_delay{4000};       // no single wait is longer
  std::chrono::milliseconds total_budget{15000};   // all waits together stay under this

  // The waits before attempts 2..max_attempts, cut off where the budget runs out.
  [[nodiscard]] std::vector<std::chrono::milliseconds> schedule() const;
};

// Whether an HTTP status is worth retrying: 5xx server errors and 429 (too many requests).
[[nodiscard]] bool is_transient_status(long status);

}  // namespace pod::fetch
