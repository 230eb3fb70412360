#include "common/error.hpp"

#include <cstring>

namespace pod {

Error::Error(std::string message, int errnum, std::string hint)
    : message_(std::move(message)), hint_(std::move(hint)), errnum_(errnum) {
  rebuild();
}

void Error::add_context(std::string_view context) {
  if (context.empty()) return;
  if (context_.empty())
    context_ = std::string(context);
  else
    context_ = std::string(context) + ": " + context_;
  rebuild();
}

void Error::rebuild() {
  full_.clear();
  if (!context_.empty()) full_ = context_ + ": ";
  full_ += message_;
  if (errnum_ != 0) {
    full_ += ": ";
    full_ += std::strerror(errnum_);
  }
}

void throw_errno(std::string what) { throw_errno(std::move(what), errno); }

void throw_errno(std::string what, int errnum) { throw Error(std::move(what), errnum); }

}  // namespace pod
