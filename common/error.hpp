// Errors that carry errno and a chain of context. Each layer that catches an
// Error adds what it was doing, so a user reads
//   "rendering image example.com/app: mounting overlay at /x: Invalid argument"
// and, where one is known, a hint saying what to do about it.
#pragma once

#include <cerrno>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace pod {

class Error : public std::exception {
 public:
  explicit Error(std::string message, int errnum = 0, std::string hint = {});

  // The errno of the failing system call, 0 when the failure was not a system call.
  [[nodiscard]] int errnum() const noexcept { return errnum_; }
  [[nodiscard]] const std::string& hint() const noexcept { return hint_; }
  // The innermost message, without context.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  // "outer: inner: message: strerror(errnum)".
  [[nodiscard]] const char* what() const noexcept override { return full_.c_str(); }

  // Prepends what the caller was doing.
  void add_context(std::string_view context);
  void set_hint(std::string hint) { hint_ = std::move(hint); }

 private:
  void rebuild();

  std::string message_;
  std::string context_;  // "outer: inner" (no trailing separator)
  std::string hint_;
  int errnum_ = 0;
  std::string full_;
};

// A command line that cannot be understood: exit status 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

// Throws Error(what, errno).
[[noreturn]] void throw_errno(std::string what);
[[noreturn]] void throw_errno(std::string what, int errnum);

// For system calls returning -1 and setting errno: returns rc, throws otherwise.
inline long check_sys(long rc, std::string_view what) {
  if (rc < 0) throw_errno(std::string(what));
  return rc;
}

// Runs f(); an Error escaping it gets `context` prepended.
template <class F>
decltype(auto) with_context(std::string_view context, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (Error& e) {
    e.add_context(context);
    throw;
  }
}

}  // namespace pod
