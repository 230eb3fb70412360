#include "stage0/fetch/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>


namespace pod::fetch {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}

ProgressBar::ProgressBar(ProgressBoard& board, std::string label)
    : label_(std::move(label)), enabled_(board.enabled()), board_(&board) {
  if (enabled_) row_ = board.add(label_);
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  if (board_) {  // the board limits its own frame rate
    board_->update(row_, done, total);
    return;
  }
  auto now = std::chrono::steady_clock::now();
  bool complete = total > 0 && done >= total;
  if (drawn_ && !complete && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  std::fprintf(stderr, "\r%s\033[K", format_progress_line({label_, done, total, false}).c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (board_) {
    if (enabled_) board_->finish(row_);
    return;
  }
  if (!drawn_) return;
  drawn_ = false;
  std::fputc('\n', stderr);
}

}  // namespace pod::fetch
