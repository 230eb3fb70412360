#include "stage1/common/pod_signal.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::stage1 {
namespace {

// Raw syscalls: Debian 12's <sys/pidfd.h> lacks C++ linkage for these.
int open_pidfd(int pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
int send_signal(int pidfd, int sig) { return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0)); }

}  // namespace

void signal_pod(const PodLayout& pod, const PodSignal& what) {
  if (!path_exists(pod.pid_file())) {
    std::fprintf(stderr, "%s: pod %s has no pid file: it is not running\n", what.flavor.c_str(),
                 what.uuid.c_str());
    return;
  }
  auto text = read_file(pod.pid_file());
  auto t = trim(text);
  int pid = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
  if (ec != std::errc() || end != t.data() + t.size() || pid <= 0)
    throw Error("pod " + what.uuid + ": pid file " + pod.pid_file() + " holds \"" + std::string(t) + "\"");
  // The pidfd pins the process: once it is checked to be the pod's, the signal cannot
  // reach a process that reused the pid in between.
  UniqueFd pidfd(open_pidfd(pid));
  if (!pidfd || !what.is_pods(pid)) {
    std::fprintf(stderr, "%s: pod %s has already exited\n", what.flavor.c_str(), what.uuid.c_str());
    return;
  }
  if (send_signal(pidfd.get(), what.signal) != 0) {
    if (errno == ESRCH) return;  // exited between the check and the signal
    throw_errno("pod " + what.uuid + ": signalling process " + std::to_string(pid));
  }
}

}  // namespace pod::stage1
