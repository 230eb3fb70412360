#include "stage1/kvm/guest/agent.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/kvm/layout.hpp"

namespace pod::stage1::kvm::guest {
namespace {

// The launcher's command line for a command in APP, as nspawn's enter builds it.
std::vector<std::string> enter_argv(const ControlRequest& r) {
  const std::string pod = kPodDirInGuest;
  std::vector<std::string> argv{kLauncherPath, "--pod-manifest=" + pod + "/pod",
                                "--image-manifest=" + pod + "/appsinfo/" + r.app + "/manifest",
                                "--app=" + r.app, "--root=/opt/stage2/" + r.app + "/rootfs",
                                "--replace-exec", "--pivot-root"};
  try {
    for (const auto& f : split(read_file(kLauncherFlags), '\n'))
      if (!f.empty()) argv.push_back(f);
  } catch (const Error&) {
    // No flags recorded: the default restrictions apply.
  }
  argv.emplace_back("--");
  if (r.argv.empty()) argv.emplace_back("/bin/sh");
  else argv.insert(argv.end(), r.argv.begin(), r.argv.end());
  return argv;
}

}  // namespace

Agent::Agent(pid_t pod_init, UniqueFd control, UniqueFd notify, const sigset_t& original)
    : init_(pod_init), control_(std::move(control)), notify_(std::move(notify)), original_(original) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  signals_.reset(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_) throw_errno("creating the guest agent's signalfd");
}

void Agent::send(FrameType type, std::string_view data) {
  if (!control_) return;
  std::string frame = encode_frame(type, data);
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(control_.get(), frame.data() + done, frame.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{control_.get(), POLLOUT, 0};
      if (::poll(&p, 1, 5000) > 0 && (p.revents & POLLOUT)) continue;
    }
    return;  // the host went away: the answer is dropped
  }
}

void Agent::start_enter(const ControlRequest& r) {
  if (enter_ > 0) {
    send(FrameType::err, "stage1-kvm: another enter is running in this pod; try again when it has ended\n");
    send(FrameType::exit, "254");
    return;
  }
  int out[2];
  int err[2];
  check_sys(pipe2(out, O_CLOEXEC), "enter: creating a pipe");
  check_sys(pipe2(err, O_CLOEXEC), "enter: creating a pipe");
  enter_out_.reset(out[0]);
  enter_err_.reset(err[0]);
  auto argv = enter_argv(r);
  pid_t pid = fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    (void)dup2(null, 0);
    (void)dup2(out[1], 1);
    (void)dup2(err[1], 2);
    (void)sigprocmask(SIG_SETMASK, &original_, nullptr);
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    execv(c[0], c.data());
    std::fprintf(stderr, "stage1-kvm: enter: executing %s: %s\n", c[0], std::strerror(errno));
    _exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    enter_out_.reset();
    enter_err_.reset();
    send(FrameType::exit, "254");
    return;
  }
  (void)fcntl(enter_out_.get(), F_SETFL, O_NONBLOCK);
  (void)fcntl(enter_err_.get(), F_SETFL, O_NONBLOCK);
  enter_ = pid;
  enter_reaped_ = false;
}

void Agent::on_request(const ControlRequest& r) {
  switch (r.op) {
    case ControlRequest::Op::stop:
    case ControlRequest::Op::kill:
      (void)kill(init_, r.op == ControlRequest::Op::stop ? SIGTERM : SIGKILL);
      send(FrameType::exit, "0");
      return;
    case ControlRequest::Op::enter:
      start_enter(r);
      return;
  }
}

void Agent::reap() {
  signalfd_siginfo info{};
  while (::read(signals_.get(), &info, sizeof info) > 0) {
  }
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (pid == init_) {
      init_done_ = true;
      init_status_ = status;
    } else if (pid == enter_) {
      enter_reaped_ = true;
      enter_status_ = status;
    }
  }
}

void Agent::pump(UniqueFd& fd, FrameType type) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      send(type, std::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    fd.reset();  // EOF
    return;
  }
}

void Agent::finish_enter_if_done() {
  if (enter_ <= 0 || !enter_reaped_ || enter_out_ || enter_err_) return;
  send(FrameType::exit, std::to_string(exit_code_of(enter_status_)));
  enter_ = -1;
}

int Agent::run() {
  bool host_connected = true;
  while (!init_done_) {
    std::vector<pollfd> fds{{signals_.get(), POLLIN, 0}};
    const bool watch_control = control_ && host_connected;
    if (watch_control) fds.push_back({control_.get(), POLLIN, 0});
    if (notify_) fds.push_back({notify_.get(), POLLIN, 0});
    if (enter_out_) fds.push_back({enter_out_.get(), POLLIN, 0});
    if (enter_err_) fds.push_back({enter_err_.get(), POLLIN, 0});
    // A port without a host end polls as hung up at once: look again in a while.
    int rc = ::poll(fds.data(), fds.size(), control_ && !host_connected ? 50 : -1);
    if (rc < 0 && errno != EINTR) throw_errno("guest agent: poll");
    host_connected = true;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == signals_.get()) {
        reap();
      } else if (control_ && p.fd == control_.get()) {
        char buf[4096];
        ssize_t n = ::read(control_.get(), buf, sizeof buf);
        if (n <= 0) {
          if (n == 0 || errno != EAGAIN) host_connected = false;
          continue;
        }
        requests_.append(buf, static_cast<size_t>(n));
        for (auto nl = requests_.find('\n'); nl != std::string::npos; nl = requests_.find('\n')) {
          std::string line = requests_.substr(0, nl);
          requests_.erase(0, nl + 1);
          try {
            on_request(decode_request(line));
          } catch (const std::exception& e) {
            send(FrameType::err, std::string("stage1-kvm: ") + e.what() + "\n");
            send(FrameType::exit, "254");
          }
        }
      } else if (notify_ && p.fd == notify_.get()) {
        char buf[512];
        ssize_t n = ::recv(notify_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0 && std::string_view(buf, static_cast<size_t>(n)).find("READY=1") != std::string_view::npos) {
          write_file_atomic(kGuestReady, std::to_string(init_), 0644, false);
          notify_.reset();
        }
      } else if (enter_out_ && p.fd == enter_out_.get()) {
        pump(enter_out_, FrameType::out);
      } else if (enter_err_ && p.fd == enter_err_.get()) {
        pump(enter_err_, FrameType::err);
      }
    }
    finish_enter_if_done();
  }
  return init_status_;
}

}  // namespace pod::stage1::kvm::guest
