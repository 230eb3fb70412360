#include "common/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/error.hpp"
#include "common/fd.hpp"

extern char** environ;

namespace pod {

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    ChildProcess old(release());
    pid_ = o.release();
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  (void)::kill(pid_, SIGKILL);  // the owner is gone; nobody is left to wait for a clean exit
  int st;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
}

int ChildProcess::wait() {
  int st = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &st, 0);
    if (r == pid_) break;
    if (r < 0 && errno == EINTR) continue;
    throw_errno("waiting for process " + std::to_string(pid_));
  }
  pid_ = -1;
  return st;
}

std::optional<int> ChildProcess::poll() {
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == 0) return std::nullopt;
  if (r < 0) throw_errno("waiting for process " + std::to_string(pid_));
  pid_ = -1;
  return st;
}

void ChildProcess::kill(int sig) const {
  if (pid_ > 0 && ::kill(pid_, sig) < 0 && errno != ESRCH)
    throw_errno("signalling process " + std::to_string(pid_));
}

void die_by_signal(int sig) {
  std::fflush(nullptr);
  struct rlimit no_core{0, 0};
  (void)::setrlimit(RLIMIT_CORE, &no_core);
  (void)::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  (void)::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  (void)::raise(sig);
  ::_exit(128 + sig);
}

int exit_code_of(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 255;
}

namespace {

struct Pipe {
  UniqueFd r, w;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("creating a pipe");
    r.reset(fds[0]);
    w.reset(fds[1]);
  }
};

}  // namespace

RunResult run_command(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) throw Error("running a command: empty argument list");
  Pipe in, out, err;
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<std::string> envs;
  std::vector<char*> cenv;
  if (opts.env) {
    for (const auto& [k, v] : *opts.env) envs.push_back(k + "=" + v);
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
  }
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("forking to run " + argv[0]);
  if (pid == 0) {
    if (opts.stdin_data) ::dup2(in.r.get(), 0);
    if (opts.capture_stdout) ::dup2(out.w.get(), 1);
    if (opts.capture_stderr) ::dup2(err.w.get(), 2);
    // Only stdio goes on: a pod's lock fd (RKT_LOCK_FD) inherited by a CNI plugin or gpg
    // would keep the pod "running" for gc after a kill -9 of its stage1 for as long as the
    // helper lives.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
      for (int fd = 3; fd < 1024; ++fd) (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);  // kernel < 5.11
    }
    char** envp = opts.env ? cenv.data() : environ;
    ::execvpe(cargv[0], cargv.data(), envp);
    const char msg[] = "exec failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ChildProcess child(pid);
  in.r.reset();
  out.w.reset();
  err.w.reset();
  if (opts.stdin_data) {
    // Small inputs only (tests, gpg); a child that does not read would block us otherwise.
    (void)::signal(SIGPIPE, SIG_IGN);
    try {
      write_all(in.w.get(), *opts.stdin_data, "stdin of " + argv[0]);
    } catch (const Error&) {
      // the child closed its stdin early; its exit status tells the story
    }
  }
  in.w.reset();
  RunResult res;
  struct pollfd pfds[2] = {{out.r.get(), POLLIN, 0}, {err.r.get(), POLLIN, 0}};
  std::string* sinks[2] = {&res.out, &res.err};
  int open = (opts.capture_stdout ? 1 : 0) + (opts.capture_stderr ? 1 : 0);
  if (!opts.capture_stdout) pfds[0].fd = -1;
  if (!opts.capture_stderr) pfds[1].fd = -1;
  char buf[65536];
  while (open > 0) {
    if (::poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("reading output of " + argv[0]);
    }
    for (int i = 0; i < 2; ++i) {
      if (pfds[i].fd < 0 || !(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(pfds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        pfds[i].fd = -1;
        --open;
      }
    }
  }
  res.exit_code = exit_code_of(child.wait());
  return res;
}

}  // namespace pod
