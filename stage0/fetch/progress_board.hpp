// Progress of several downloads at once on a terminal: one line per download, redrawn in
// place, so parallel layer downloads never overwrite each other's line (a single-line
// ProgressBar each would all draw over the same line). Lines of finished downloads stay
// above the ones still running and are not drawn again, so the region redrawn is no larger
// than the number of downloads running and never scrolls out of reach of the cursor.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace pod::fetch {

struct ProgressRow {
  std::string label;
  uint64_t done = 0;
  uint64_t total = 0;  // 0 when the size is unknown
  bool finished = false;
};

// One line's text, without cursor control: "LABEL: 1.0 MiB / 2.0 MiB [====    ] 50%".
[[nodiscard]] std::string format_progress_line(const ProgressRow& row);

// What to write to redraw the rows from `first_live` on, given that `drawn` lines were
// drawn below the committed ones last time; and the state after it. Rows before the new
// first_live are finished and final.
struct BoardFrame {
  std::string text;
  size_t first_live = 0;
  size_t drawn = 0;
};
[[nodiscard]] BoardFrame render_progress_board(const std::vector<ProgressRow>& rows,
                                               size_t first_live, size_t drawn);

// Thread-safe: downloads running on several threads report to the same board.
class ProgressBoard {
 public:
  // Draws only when `enabled` and `out` is a terminal.
  ProgressBoard(bool enabled, std::FILE* out = stderr);
  ProgressBoard(const ProgressBoard&) = delete;
  ProgressBoard& operator=(const ProgressBoard&) = delete;

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  // A new line; returns its index for update() and finish().
  [[nodiscard]] size_t add(std::string label);
  void update(size_t row, uint64_t done, uint64_t total);
  void finish(size_t row);

 private:
  void draw_locked(bool force);

  bool enabled_;
  std::FILE* out_;
  std::mutex mu_;
  std::vector<ProgressRow> rows_;
  size_t first_live_ = 0;
  size_t drawn_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace pod::fetch
