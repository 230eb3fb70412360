#include "stage1/fly/app_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/fly/layout.hpp"
#include "stage2/launcher.hpp"

namespace pod::stage1::fly {
namespace {

// The stage2 launcher, run in this (forked) process rather than exec'ed: fly links it
// anyway, and one exec less is a third of fly's start time. The launcher binary stays in
// the image for `enter` and for other stage1s.
[[noreturn]] void run_launcher(const PodLayout& pod, const AppLaunch& launch, int error_fd) {
  std::vector<std::string> args{"--pod-dir=" + pod.dir(), "--app=" + launch.app,
                                "--root=" + pod.app_rootfs(launch.app), "--pivot-root",
                                "--launch-error-fd=" + std::to_string(error_fd)};
  args.insert(args.end(), launch.launcher_flags.begin(), launch.launcher_flags.end());
  if (launch.interactive) args.emplace_back("--interactive");
  if (!launch.command.empty()) {
    args.emplace_back("--replace-exec");
    args.emplace_back("--");
    args.insert(args.end(), launch.command.begin(), launch.command.end());
  }
  const int code = stage2::launcher_main(args);  // returns only when the app did not start
  std::fflush(nullptr);
  _exit(code);
}

}  // namespace

AppResult run_app_process(const PodLayout& pod, const AppLaunch& launch,
                          const SignalForwarder& forwarder, const Logger& log) {
  const pid_t parent = getpid();
  int fds[2];
  check_sys(pipe2(fds, O_CLOEXEC), "starting app " + launch.app + " (pipe)");
  UniqueFd error_r(fds[0]), error_w(fds[1]);
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting app " + launch.app + " (fork)");
  if (pid == 0) {
    forwarder.restore_in_child();
    // The app dies with its stage1: fly's app is not in a pid namespace that would take
    // it down otherwise, and an orphan would outlive the pod's lock.
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);  // best effort; checked just below
    if (getppid() != parent) _exit(1);
    for (const char* var : {"RKT_LOCK_FD", "POD_LOCK_FD", "POD_HOST_MNTNS_FD"}) {
      // The app does not hold the pod lock (we do, as long as it runs), nor a handle on
      // the host's mount namespace that stage0 passes for networking fly does not do.
      if (const char* fd = std::getenv(var)) (void)fcntl(std::atoi(fd), F_SETFD, FD_CLOEXEC);
    }
    // Close-on-exec: the app's exec closes it; a launch that fails writes to it first.
    run_launcher(pod, launch, error_w.get());
  }
  error_w.reset();
  ChildProcess child(pid);  // killed and reaped if waiting throws
  log.debug("app " + launch.app + ": " +
            (launch.command.empty() ? std::string("started") : "running " + join(launch.command, " ")) +
            " as pid " + std::to_string(pid));
  AppResult result;
  result.wait_status = forwarder.wait_forwarding(pid);
  (void)child.release();  // reaped by wait_forwarding
  char byte = 0;
  result.launch_failed = read(error_r.get(), &byte, 1) == 1;
  return result;
}

}  // namespace pod::stage1::fly
