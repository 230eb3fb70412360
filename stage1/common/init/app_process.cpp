#include "stage1/common/init/app_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"

namespace pod::stage1::init {
namespace {

// Puts `fds` at 3, 4, ... (inheritable), first moving them and the error pipe above that
// range so no dup2 overwrites one still to be placed; returns the error pipe's new fd.
int place_listen_fds(const std::vector<int>& fds, int error_w) {
  const int floor = 3 + static_cast<int>(fds.size());
  const int moved_error = fcntl(error_w, F_DUPFD, floor);
  if (moved_error < 0) {
    std::fprintf(stderr, "pod init: moving the launcher's error pipe: %s\n", std::strerror(errno));
    _exit(1);
  }
  std::vector<int> high;
  for (int fd : fds) {
    const int h = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (h < 0) {
      std::fprintf(stderr, "pod init: passing a socket-activation fd: %s\n", std::strerror(errno));
      _exit(1);
    }
    high.push_back(h);
  }
  for (size_t i = 0; i < high.size(); ++i) {
    if (dup2(high[i], 3 + static_cast<int>(i)) < 0) {
      std::fprintf(stderr, "pod init: placing socket-activation fd %zu: %s\n", i, std::strerror(errno));
      _exit(1);
    }
  }
  return moved_error;
}

[[noreturn]] void child(const LaunchSpec& spec, const sigset_t& mask, int out_w, int err_w, int error_w) {
  for (int sig = 1; sig < NSIG; ++sig) (void)signal(sig, SIG_DFL);  // EINVAL for KILL/STOP
  (void)sigprocmask(SIG_SETMASK, &mask, nullptr);
  for (const auto& procs : spec.cgroup_procs) {
    int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) {
      std::fprintf(stderr, "pod init: joining cgroup %s: %s\n", procs.c_str(), std::strerror(errno));
      _exit(1);
    }
    ::close(fd);
  }
  if (!spec.inherit_stdio) {
    if (!spec.give_stdin) {
      int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null >= 0) (void)dup2(null, STDIN_FILENO);
    }
    (void)dup2(out_w, STDOUT_FILENO);
    (void)dup2(err_w, STDERR_FILENO);
    (void)setsid();  // its own session: a signal to the apps' group never reaches pod init
  }
  if (!spec.listen_fds.empty()) error_w = place_listen_fds(spec.listen_fds, error_w);
  std::vector<std::string> args{spec.launcher, "--launch-error-fd=" + std::to_string(error_w)};
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(spec.launcher.c_str(), argv.data());
  std::fprintf(stderr, "pod init: executing the stage2 launcher %s: %s\n", spec.launcher.c_str(),
               std::strerror(errno));
  _exit(127);
}

}  // namespace

Launched launch(const LaunchSpec& spec, const sigset_t& original_mask) {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (!spec.inherit_stdio) {
    check_sys(pipe2(out, O_CLOEXEC), "creating the app's stdout pipe");
    if (pipe2(err, O_CLOEXEC) != 0) {
      int e = errno;
      ::close(out[0]);
      ::close(out[1]);
      throw_errno("creating the app's stderr pipe", e);
    }
  }
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
    throw_errno("creating the launcher's error pipe", e);
  }
  Launched l;
  l.launch_error.reset(error_pipe[0]);
  UniqueFd error_w(error_pipe[1]);
  l.out.reset(out[0]);
  l.err.reset(err[0]);
  UniqueFd out_w(out[1]);
  UniqueFd err_w(err[1]);
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting the stage2 launcher (fork)");
  if (pid == 0) {
    // The launcher marks it close-on-exec itself; it must survive our exec of it.
    (void)fcntl(error_w.get(), F_SETFD, 0);
    child(spec, original_mask, out_w.get(), err_w.get(), error_w.get());
  }
  l.pid = pid;
  if (l.out) (void)fcntl(l.out.get(), F_SETFL, O_NONBLOCK);
  if (l.err) (void)fcntl(l.err.get(), F_SETFL, O_NONBLOCK);
  return l;
}

std::vector<std::string> launcher_args(const std::string& pod_manifest, const std::string& image_manifest,
                                       const std::string& app, const std::string& rootfs,
                                       const std::vector<std::string>& flags,
                                       const std::vector<std::string>& command) {
  std::vector<std::string> args{"--pod-manifest=" + pod_manifest, "--image-manifest=" + image_manifest,
                                "--app=" + app, "--root=" + rootfs, "--pivot-root"};
  args.insert(args.end(), flags.begin(), flags.end());
  if (!command.empty()) {
    args.emplace_back("--replace-exec");
    args.emplace_back("--");
    args.insert(args.end(), command.begin(), command.end());
  }
  return args;
}

}  // namespace pod::stage1::init
