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
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/fly/layout.hpp"

namespace pod::stage1::fly {
namespace {

[[noreturn]] void exec_launcher(const PodLayout& pod, const AppLaunch& launch) {
  std::string launcher = pod.stage1_rootfs() + kLauncherPath;
  std::vector<std::string> args{launcher, "--pod-dir=" + pod.dir(), "--app=" + launch.app,
                                "--root=" + pod.app_rootfs(launch.app), "--pivot-root"};
  args.insert(args.end(), launch.launcher_flags.begin(), launch.launcher_flags.end());
  if (launch.interactive) args.emplace_back("--interactive");
  if (!launch.command.empty()) {
    args.emplace_back("--replace-exec");
    args.emplace_back("--");
    args.insert(args.end(), launch.command.begin(), launch.command.end());
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(launcher.c_str(), argv.data());
  std::fprintf(stderr, "stage1-fly: app %s: executing the stage2 launcher %s: %s\n",
               launch.app.c_str(), launcher.c_str(), std::strerror(errno));
  _exit(127);
}

}  // namespace

int run_app_process(const PodLayout& pod, const AppLaunch& launch, const SignalForwarder& forwarder,
                    const Logger& log) {
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting app " + launch.app + " (fork)");
  if (pid == 0) {
    forwarder.restore_in_child();
    // The app dies with its stage1: fly's app is not in a pid namespace that would take
    // it down otherwise, and an orphan would outlive the pod's lock.
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);  // best effort; checked just below
    if (getppid() != parent) _exit(1);
    for (const char* var : {"RKT_LOCK_FD", "POD_LOCK_FD"}) {
      // The app does not hold the pod lock: we do, as long as it runs.
      if (const char* fd = std::getenv(var)) (void)fcntl(std::atoi(fd), F_SETFD, FD_CLOEXEC);
    }
    exec_launcher(pod, launch);
  }
  ChildProcess child(pid);  // killed and reaped if waiting throws
  log.debug("app " + launch.app + ": " +
            (launch.command.empty() ? std::string("started") : "running " + join(launch.command, " ")) +
            " as pid " + std::to_string(pid));
  const int status = forwarder.wait_forwarding(pid);
  (void)child.release();  // reaped by wait_forwarding
  return status;
}

}  // namespace pod::stage1::fly
