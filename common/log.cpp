#include "common/log.hpp"

namespace pod {

namespace {
void emit(std::FILE* out, std::string_view prefix, std::string_view msg) {
  std::fprintf(out, "pod: %.*s%.*s\n", static_cast<int>(prefix.size()), prefix.data(),
               static_cast<int>(msg.size()), msg.data());
}
}  // namespace

void Logger::debug(std::string_view msg) const {
  if (debug_) emit(out_, "debug: ", msg);
}
void Logger::info(std::string_view msg) const { emit(out_, "", msg); }
void Logger::warn(std::string_view msg) const { emit(out_, "warning: ", msg); }
void Logger::error(std::string_view msg) const { emit(out_, "error: ", msg); }

}  // namespace pod
