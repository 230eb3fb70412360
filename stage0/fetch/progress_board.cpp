#include "stage0/fetch/progress_board.hpp"

#include <unistd.h>

#include "common/strings.hpp"

namespace pod::fetch {

std::string format_progress_line(const ProgressRow& row) {
  if (row.total == 0) return row.label + ": " + human_size(row.done) + (row.finished ? " done" : "");
  constexpr uint64_t kWidth = 30;
  const uint64_t done = row.done > row.total ? row.total : row.done;
  const uint64_t filled = kWidth * done / row.total;
  return row.label + ": " + human_size(done) + " / " + human_size(row.total) + " [" +
         std::string(filled, '=') + std::string(kWidth - filled, ' ') + "] " +
         std::to_string(done * 100 / row.total) + "%";
}

BoardFrame render_progress_board(const std::vector<ProgressRow>& rows, size_t first_live, size_t drawn) {
  BoardFrame f;
  // Back to the first line drawn last time ("\r" then up), then every live row, each
  // erasing what was left of its previous text.
  if (drawn > 0) f.text = "\r\033[" + std::to_string(drawn) + "A";
  for (size_t i = first_live; i < rows.size(); ++i)
    f.text += "\r" + format_progress_line(rows[i]) + "\033[K\n";
  f.first_live = first_live;
  while (f.first_live < rows.size() && rows[f.first_live].finished) ++f.first_live;
  f.drawn = rows.size() - f.first_live;
  return f;
}

ProgressBoard::ProgressBoard(bool enabled, std::FILE* out)
    : enabled_(enabled && out && ::isatty(::fileno(out)) == 1), out_(out) {}

size_t ProgressBoard::add(std::string label) {
  std::lock_guard<std::mutex> g(mu_);
  rows_.push_back({std::move(label), 0, 0, false});
  if (enabled_) draw_locked(true);
  return rows_.size() - 1;
}

void ProgressBoard::update(size_t row, uint64_t done, uint64_t total) {
  std::lock_guard<std::mutex> g(mu_);
  if (row >= rows_.size()) return;
  rows_[row].done = done;
  rows_[row].total = total;
  if (enabled_) draw_locked(false);
}

void ProgressBoard::finish(size_t row) {
  std::lock_guard<std::mutex> g(mu_);
  if (row >= rows_.size() || rows_[row].finished) return;
  rows_[row].finished = true;
  if (enabled_) draw_locked(true);
}

void ProgressBoard::draw_locked(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(100)) return;  // ten frames a second
  last_ = now;
  BoardFrame f = render_progress_board(rows_, first_live_, drawn_);
  first_live_ = f.first_live;
  drawn_ = f.drawn;
  std::fputs(f.text.c_str(), out_);
  std::fflush(out_);
}

}  // namespace pod::fetch
