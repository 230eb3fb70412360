#include "stage0/pods/mount_holder.hpp"

#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pod::pods {
namespace {

// The child: only async-signal-safe calls (it was forked from a process that may have had
// threads once, and it never returns into stage0's code).
[[noreturn]] void hold(pid_t parent) noexcept {
  // No fd of stage0 stays open: not the pod's lock (gc and stop must see the pod exit with
  // stage1), not stdout or stderr (a caller reading them to the end must not wait for us).
  if (::syscall(SYS_close_range, 0U, ~0U, 0U) != 0) {
    for (int fd = 0; fd < 1024; ++fd) (void)::close(fd);
  }
  (void)::chdir("/");  // pins no directory of the caller's
  (void)::prctl(PR_SET_NAME, "pod-mnt-holder", 0, 0, 0);
  // Terminal signals meant for `pod run` need not reach us: dying early only puts the
  // unmounts back on stage1's exit.
  sigset_t all;
  (void)sigfillset(&all);
  (void)sigprocmask(SIG_BLOCK, &all, nullptr);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) ::_exit(0);
  // The parent may have gone before the request above: then nothing will signal us.
  if (::getppid() != parent) ::_exit(0);
  for (;;) (void)::pause();  // SIGKILL ends it
}

}  // namespace

std::optional<pid_t> fork_mount_namespace_holder() noexcept {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) hold(parent);
  return pid;
}

}  // namespace pod::pods
