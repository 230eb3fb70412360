#include "common/table.hpp"

#include <algorithm>

namespace pod {

std::string Table::render(bool legend) const {
  std::vector<size_t> width(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  };
  if (legend) measure(headers_);
  for (const auto& r : rows_) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < width.size()) line += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  if (legend) emit(headers_);
  for (const auto& r : rows_) emit(r);
  return out;
}

void Table::print(bool legend, std::FILE* out) const {
  std::string s = render(legend);
  std::fwrite(s.data(), 1, s.size(), out);
}

}  // namespace pod
