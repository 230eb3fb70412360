// A one-line download progress bar on stderr, drawn only when stderr is a terminal
// (a log file or a pipe gets nothing), at most ten times a second; or one line of a
// ProgressBoard shared by downloads running at the same time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "stage0/fetch/progress_board.hpp"

namespace pod::fetch {

class ProgressBar {
 public:
  // `enabled` is further restricted to stderr being a terminal.
  ProgressBar(std::string label, bool enabled);
  // A line of `board` (drawn when the board is).
  ProgressBar(ProgressBoard& board, std::string label);
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
  ProgressBoard* board_ = nullptr;
  size_t row_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace pod::fetch
