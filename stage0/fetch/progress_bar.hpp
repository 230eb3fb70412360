// A one-line download progress bar on stderr, drawn only when stderr is a terminal
// (a log file or a pipe gets nothing), at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pod::fetch {

class ProgressBar {
 public:
  // `enabled` is further restricted to stderr being a terminal.
  ProgressBar(std::string label, bool enabled);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();

  // `total` is 0 when the size is unknown.
  void update(uint64_t done, uint64_t total);
  // Ends the line (called by the destructor too).
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace pod::fetch
