#include "common/duration.hpp"

#include <cctype>
#include <string>

#include "common/error.hpp"

namespace pod {

std::chrono::milliseconds parse_duration(std::string_view text) {
  std::string s(text);
  auto bad = [&]() {
    return UsageError("invalid duration \"" + s + "\"", 0,
                      "use a number with a unit, e.g. 30s, 10m, 1h30m, 500ms");
  };
  if (s == "0") return std::chrono::milliseconds(0);
  if (s.empty()) throw bad();
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) throw bad();
    double v = std::stod(s.substr(start, i - start));
    size_t ustart = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(ustart, i - ustart);
    if (unit == "ms") total_ms += v;
    else if (unit == "s") total_ms += v * 1000;
    else if (unit == "m") total_ms += v * 60'000;
    else if (unit == "h") total_ms += v * 3'600'000;
    else throw bad();
  }
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

}  // namespace pod
