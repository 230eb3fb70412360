// Finding and executing the app's program. As a shell does, a program that is not
// there is exit status 127 and one that cannot be executed is 126, so a pod that
// fails to start says why through its exit status too.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace pod::stage2 {

inline constexpr int kExitNotFound = 127;
inline constexpr int kExitNotExecutable = 126;

class ExecError : public Error {
 public:
  ExecError(std::string message, int errnum, int exit_code)
      : Error(std::move(message), errnum), exit_code_(exit_code) {}
  [[nodiscard]] int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

enum class FileKind { missing, not_executable, executable };

// What a path is, from stat(2): a regular file with an execute bit is executable; a
// directory or a file without any execute bit is not.
[[nodiscard]] FileKind classify_file(const std::string& path);

// Looks `name` (no '/') up in the colon-separated `path_env` as execvp would; an empty
// element means the current directory. Returns the first executable candidate; when none
// is, the first non-executable one found (so the error can name it), else nullopt.
[[nodiscard]] std::optional<std::pair<std::string, FileKind>> find_in_path(
    std::string_view name, std::string_view path_env,
    const std::function<FileKind(const std::string&)>& classify);

// exec[0] made into a path and checked: names without '/' are looked up in `path_env`.
// Throws ExecError naming the app and the program (127: not found, 126: not executable).
[[nodiscard]] std::string resolve_program(const std::string& exec0, const std::string& path_env,
                                          const std::string& app_name,
                                          const std::function<FileKind(const std::string&)>& classify);

// execve; returns only by throwing ExecError with the shell's exit status for the errno.
[[noreturn]] void execute(const std::string& program, const std::vector<std::string>& argv,
                          const std::vector<std::string>& envp, const std::string& app_name);

}  // namespace pod::stage2
