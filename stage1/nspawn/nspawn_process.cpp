#include "stage1/nspawn/nspawn_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "stage1/common/cgroups/host.hpp"

namespace pod::stage1::nspawn {
namespace {

constexpr int kDefaulted[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
// Inherited fds nspawn must not get: the pod's lock stays with run (held exactly as long
// as run lives) and stage0's host mount namespace with stage1 (pod_network.hpp).
constexpr const char* kKeptFromNspawn[] = {"RKT_LOCK_FD", "POD_LOCK_FD", "POD_HOST_MNTNS_FD"};

[[noreturn]] void child(int command_fd, const std::vector<std::string>& cgroups, const std::string& notify_socket,
                        const sigset_t& original, pid_t parent) {
  // Dies with run: a kill -9 of `pod run` leaves no nspawn behind (gc kills the rest
  // through the pod's cgroups).
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(254);
  for (int sig : kDefaulted) (void)signal(sig, SIG_DFL);
  (void)sigprocmask(SIG_SETMASK, &original, nullptr);
  for (const char* var : kKeptFromNspawn) {
    if (const char* fd = std::getenv(var)) (void)fcntl(std::atoi(fd), F_SETFD, FD_CLOEXEC);
  }
  try {
    cgroups::join_cgroups(cgroups);
  } catch (const Error& e) {
    std::fprintf(stderr, "stage1-nspawn: run: joining the pod's cgroups: %s\n", e.what());
    _exit(254);
  }
  (void)setenv("NOTIFY_SOCKET", notify_socket.c_str(), 1);
  std::string command;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(command_fd, buf, sizeof buf);
    if (n > 0) {
      command.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) _exit(254);
    break;
  }
  if (command.empty()) _exit(254);  // run gave up before starting the pod
  std::vector<char*> argv;
  for (size_t at = 0; at < command.size(); at = command.find('\0', at) + 1) argv.push_back(command.data() + at);
  argv.push_back(nullptr);
  execv(argv.front(), argv.data());
  std::fprintf(stderr, "stage1-nspawn: run: executing %s: %s\n", argv.front(), std::strerror(errno));
  _exit(254);
}

}  // namespace

PendingNspawn fork_nspawn(const std::vector<std::string>& cgroups, const std::string& notify_socket,
                          const sigset_t& original) {
  int fds[2];
  check_sys(::pipe2(fds, O_CLOEXEC), "starting systemd-nspawn (pipe)");
  UniqueFd read_end(fds[0]);
  PendingNspawn p;
  p.command.reset(fds[1]);
  const pid_t self = getpid();
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting systemd-nspawn (fork)");
  if (pid == 0) {
    p.command.reset();
    child(read_end.get(), cgroups, notify_socket, original, self);
  }
  p.process = ChildProcess(pid);
  return p;
}

pid_t start_nspawn(PendingNspawn& pending, const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& a : argv) {
    command += a;
    command += '\0';
  }
  const char* at = command.data();
  size_t left = command.size();
  while (left > 0) {
    ssize_t n = ::write(pending.command.get(), at, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("starting systemd-nspawn (sending its command line)");
    at += n;
    left -= static_cast<size_t>(n);
  }
  pending.command.reset();
  return pending.process.release();
}

}  // namespace pod::stage1::nspawn
