#include "stage0/fetch/progress_board.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace pod::fetch;

namespace {

ProgressRow row(std::string label, uint64_t done, uint64_t total, bool finished = false) {
  return {std::move(label), done, total, finished};
}

// What a terminal shows after `text`: lines addressed by a cursor that "\r", "\n",
// "\033[NA" (up) and "\033[K" (erase to the end of the line) move, as a VT100 does.
std::vector<std::string> screen(const std::string& text) {
  std::vector<std::string> lines(1);
  size_t y = 0, x = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      x = 0;
    } else if (c == '\n') {
      ++y;
      x = 0;
      if (y >= lines.size()) lines.resize(y + 1);
    } else if (c == '\033') {
      REQUIRE(i + 1 < text.size());
      REQUIRE(text[i + 1] == '[');
      size_t j = i + 2, n = 0;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') n = n * 10 + static_cast<size_t>(text[j++] - '0');
      REQUIRE(j < text.size());
      if (text[j] == 'A') {
        y = n > y ? 0 : y - n;
      } else {
        REQUIRE(text[j] == 'K');
        lines[y].resize(x);
      }
      i = j;
    } else {
      if (lines[y].size() <= x) lines[y].resize(x + 1);
      lines[y][x++] = c;
    }
  }
  if (lines.back().empty()) lines.pop_back();
  return lines;
}

}  // namespace

TEST_CASE("progress board: a line's text") {
  CHECK(format_progress_line(row("Downloading abc", 512, 1024)) ==
        "Downloading abc: 512 B / 1.0 KiB [===============               ] 50%");
  CHECK(format_progress_line(row("x", 2048, 1024)).find("100%") != std::string::npos);
  CHECK(format_progress_line(row("x", 1536, 0)) == "x: 1.5 KiB");
}

TEST_CASE("progress board: parallel downloads each keep their own line") {
  std::vector<ProgressRow> rows{row("a", 0, 100), row("b", 0, 100), row("c", 0, 100)};
  std::string out;
  size_t first = 0, drawn = 0;
  auto frame = [&] {
    BoardFrame f = render_progress_board(rows, first, drawn);
    out += f.text;
    first = f.first_live;
    drawn = f.drawn;
  };
  frame();
  rows[1].done = 50;
  frame();
  rows[0].done = 100;
  rows[2].done = 10;
  frame();
  auto s = screen(out);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == format_progress_line(rows[0]));
  CHECK(s[1] == format_progress_line(rows[1]));
  CHECK(s[2] == format_progress_line(rows[2]));
  CHECK(s[1].find("50%") != std::string::npos);
}

TEST_CASE("progress board: finished lines at the top are final and not redrawn") {
  std::vector<ProgressRow> rows{row("a", 100, 100, true), row("b", 10, 100)};
  BoardFrame f = render_progress_board(rows, 0, 0);
  CHECK(f.first_live == 1);
  CHECK(f.drawn == 1);
  rows.push_back(row("c", 0, 100));  // a download starting later gets the next line
  rows[1].done = 20;
  BoardFrame g = render_progress_board(rows, f.first_live, f.drawn);
  CHECK(g.text.rfind("\r\033[1A", 0) == 0);      // only b's line is gone back to
  CHECK(g.text.find("a: ") == std::string::npos);  // a is not drawn again
  auto s = screen(f.text + g.text);
  REQUIRE(s.size() == 3);
  CHECK(s[1] == format_progress_line(rows[1]));
  CHECK(s[2] == format_progress_line(rows[2]));
  // A finished line below a running one stays live until the ones above it finish.
  rows[2].finished = true;
  BoardFrame h = render_progress_board(rows, g.first_live, g.drawn);
  CHECK(h.first_live == 1);
  CHECK(h.drawn == 2);
  rows[1].finished = true;
  BoardFrame k = render_progress_board(rows, h.first_live, h.drawn);
  CHECK(k.first_live == 3);
  CHECK(k.drawn == 0);
  CHECK(screen(f.text + g.text + h.text + k.text).size() == 3);
}

TEST_CASE("progress board: nothing is drawn when the output is not a terminal") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    ProgressBoard board(true, f);
    CHECK_FALSE(board.enabled());
    size_t r = board.add("a");
    board.update(r, 1, 2);
    board.finish(r);
  }
  CHECK(std::ftell(f) == 0);
  std::fclose(f);
}
