// Child processes owned by RAII: a ChildProcess still running when its owner
// goes away is killed (SIGKILL) and reaped, so no error path leaks a process.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pod {

class ChildProcess {
 public:
  ChildProcess() = default;
  explicit ChildProcess(pid_t pid) noexcept : pid_(pid) {}
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& o) noexcept : pid_(o.release()) {}
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  // Waits for the child; returns the raw wait status. The child is reaped.
  [[nodiscard]] int wait();
  // Non-blocking wait; nullopt while it runs.
  [[nodiscard]] std::optional<int> poll();
  void kill(int sig) const;
  // Hands the pid on; the caller reaps it.
  [[nodiscard]] pid_t release() noexcept {
    pid_t p = pid_;
    pid_ = -1;
    return p;
  }

 private:
  pid_t pid_ = -1;
};

// Exit code for a wait status: the exit status, or 128+signal as shells report it.
[[nodiscard]] int exit_code_of(int wait_status);

// Ends this process by `sig` (default action, unblocked, no core dump of ours), so that
// our parent sees what a child of ours died of; exits 128+sig if the signal cannot kill.
[[noreturn]] void die_by_signal(int sig);

struct SpawnOptions {
  std::optional<std::string> stdin_data;  // fed to the child's stdin when set
  bool capture_stdout = true;
  bool capture_stderr = true;
  std::optional<std::map<std::string, std::string>> env;  // replaces the environment when set
};

struct RunResult {
  int exit_code = 0;  // see exit_code_of
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up in PATH) to completion, capturing its output.
[[nodiscard]] RunResult run_command(const std::vector<std::string>& argv,
                                    const SpawnOptions& opts = {});

}  // namespace pod
