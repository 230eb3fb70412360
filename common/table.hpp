// Aligned tables for listings: `--no-legend` drops the header, `--full` keeps
// long values (IDs, hashes) whole instead of shortening them.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace pod {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns separated by at least two spaces (tabs would not align in every terminal).
  [[nodiscard]] std::string render(bool legend) const;
  void print(bool legend, std::FILE* out = stdout) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace pod
