// stop: SIGTERM (or SIGKILL) to the pod's stage1 process, which forwards it to the app.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <csignal>
#include <cstdio>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/fly/entrypoints.hpp"
#include "stage1/fly/options.hpp"

namespace pod::stage1::fly {
namespace {

// Raw syscalls: Debian 12's <sys/pidfd.h> lacks C++ linkage for these.
int open_pidfd(int pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
int send_signal(int pidfd, int sig) { return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0)); }

bool runs_in(int pid, const std::string& dir) {
  char buf[PATH_MAX];
  std::string link = "/proc/" + std::to_string(pid) + "/cwd";
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n >= 0 && std::string(buf, static_cast<size_t>(n)) == dir;
}

}  // namespace

int stop_pod(const std::vector<std::string>& args) {
  const StopOptions o = parse_stop_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  if (!path_exists(pod.pid_file())) {
    std::fprintf(stderr, "stage1-fly: pod %s has no pid file: it is not running\n", o.uuid.c_str());
    return 0;
  }
  auto text = read_file(pod.pid_file());
  auto t = trim(text);
  int pid = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
  if (ec != std::errc() || end != t.data() + t.size() || pid <= 0)
    throw Error("pod " + o.uuid + ": pid file " + pod.pid_file() + " holds \"" + std::string(t) + "\"");

  // A pidfd pins the process: once we checked it is the pod's, the signal cannot reach a
  // process that reused the pid in between.
  UniqueFd pidfd(open_pidfd(pid));
  if (!pidfd || !runs_in(pid, pod.dir())) {
    std::fprintf(stderr, "stage1-fly: pod %s has already exited\n", o.uuid.c_str());
    return 0;
  }
  int sig = o.force ? SIGKILL : SIGTERM;
  if (send_signal(pidfd.get(), sig) != 0) {
    if (errno == ESRCH) return 0;  // exited between the check and the signal
    throw_errno("pod " + o.uuid + ": signalling process " + std::to_string(pid));
  }
  return 0;
}

}  // namespace pod::stage1::fly
