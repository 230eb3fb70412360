#include "stage0/fetch/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

#include "common/strings.hpp"

namespace pod::fetch {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  bool complete = total > 0 && done >= total;
  if (drawn_ && !complete && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  constexpr int kWidth = 30;
  std::string bar;
  if (total > 0) {
    int filled = static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total));
    if (filled > kWidth) filled = kWidth;
    bar = "[" + std::string(static_cast<size_t>(filled), '=') +
          std::string(static_cast<size_t>(kWidth - filled), ' ') + "] " +
          std::to_string(done * 100 / total) + "%";
    std::fprintf(stderr, "\r%s: %s / %s %s\033[K", label_.c_str(), human_size(done).c_str(),
                 human_size(total).c_str(), bar.c_str());
  } else {
    std::fprintf(stderr, "\r%s: %s\033[K", label_.c_str(), human_size(done).c_str());
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!drawn_) return;
  drawn_ = false;
  std::fputc('\n', stderr);
}

}  // namespace pod::fetch
