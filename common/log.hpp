// Diagnostics on stderr. A Logger is passed down explicitly (no global state);
// debug lines appear only with --debug.
#pragma once

#include <cstdio>
#include <string_view>

namespace pod {

class Logger {
 public:
  explicit Logger(bool debug = false, std::FILE* out = stderr) : debug_(debug), out_(out) {}
  [[nodiscard]] bool debug_enabled() const noexcept { return debug_; }
  void debug(std::string_view msg) const;
  void info(std::string_view msg) const;
  void warn(std::string_view msg) const;
  void error(std::string_view msg) const;

 private:
  bool debug_;
  std::FILE* out_;
};

}  // namespace pod
