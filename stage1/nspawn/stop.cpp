// stop: SIGTERM (SIGKILL with --force) to pod init, which stops every app (SIGTERM, then
// SIGKILL after its time-out); pod init's SIGKILL takes the whole pid namespace down.
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/nspawn/entrypoints.hpp"
#include "stage1/nspawn/options.hpp"
#include "stage1/nspawn/pod_process.hpp"

namespace pod::stage1::nspawn {
namespace {

// Raw syscalls: Debian 12's <sys/pidfd.h> lacks C++ linkage for these.
int open_pidfd(int pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
int send_signal(int pidfd, int sig) { return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0)); }

}  // namespace

int stop_pod(const std::vector<std::string>& args) {
  const StopOptions o = parse_stop_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  if (!path_exists(pod.pid_file())) {
    std::fprintf(stderr, "stage1-nspawn: pod %s has no pid file: it is not running\n", o.uuid.c_str());
    return 0;
  }
  auto text = read_file(pod.pid_file());
  auto t = trim(text);
  int pid = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
  if (ec != std::errc() || end != t.data() + t.size() || pid <= 0)
    throw Error("pod " + o.uuid + ": pid file " + pod.pid_file() + " holds \"" + std::string(t) + "\"");
  // The pidfd pins the process: once it is checked to be this pod's init, the signal
  // cannot reach a process that reused the pid in between.
  UniqueFd pidfd(open_pidfd(pid));
  if (!pidfd || !is_pod_init(pid, o.uuid)) {
    std::fprintf(stderr, "stage1-nspawn: pod %s has already exited\n", o.uuid.c_str());
    return 0;
  }
  if (send_signal(pidfd.get(), o.force ? SIGKILL : SIGTERM) != 0) {
    if (errno == ESRCH) return 0;
    throw_errno("pod " + o.uuid + ": signalling pod init (pid " + std::to_string(pid) + ")");
  }
  return 0;
}

}  // namespace pod::stage1::nspawn
