// kvm_guest: /init of the stage1-kvm initramfs, the guest's PID 1. It boots the guest up
// to pod init (boot.hpp, network.hpp), starts pod init in the stage1 rootfs with the
// apps' output on the virtio consoles, serves the control channel (agent.hpp), and
// powers the VM off when pod init has ended. pod init itself knows nothing of the VM.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/kvm/guest/agent.hpp"
#include "stage1/kvm/guest/boot.hpp"
#include "stage1/kvm/guest/network.hpp"
#include "stage1/kvm/guest_config.hpp"
#include "stage1/kvm/layout.hpp"

namespace {

using namespace pod;
using namespace pod::stage1::kvm;

constexpr const char* kShare = "/pod";
constexpr const char* kRoot = "/pod/stage1/rootfs";

// A virtio console carries bytes, not a terminal's lines: no \n to \r\n, no echo.
UniqueFd open_raw(const char* dev) {
  UniqueFd fd;
  // The console's tty registers a moment after its driver has probed the device.
  for (int attempt = 0; !fd; ++attempt) {
    fd.reset(::open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC));
    const bool not_yet = errno == ENOENT || errno == ENODEV || errno == ENXIO;
    if (!fd && (!not_yet || attempt >= 500)) throw_errno(std::string("opening ") + dev);
    if (!fd) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  termios t{};
  if (tcgetattr(fd.get(), &t) == 0) {
    cfmakeraw(&t);
    (void)tcsetattr(fd.get(), TCSANOW, &t);
  }
  return fd;
}

// The virtio-serial port named kControlPortName (no udev here to make the
// /dev/virtio-ports/ link).
std::string find_control_port() {
  const std::unique_ptr<DIR, int (*)(DIR*)> d(opendir("/sys/class/virtio-ports"), closedir);
  if (!d) return {};
  std::string found;
  while (dirent* e = readdir(d.get())) {
    if (e->d_name[0] == '.') continue;
    try {
      if (trim(read_file(std::string("/sys/class/virtio-ports/") + e->d_name + "/name")) == kControlPortName)
        found = e->d_name;
    } catch (const Error&) {
    }
  }
  return found;
}

// Waits a little for the port and its device node, as for the consoles; without it the
// pod runs, but cannot be entered or stopped gently.
UniqueFd open_control_port() {
  for (int attempt = 0; attempt < 500; ++attempt) {
    const std::string port = find_control_port();
    if (!port.empty()) {
      UniqueFd fd(::open(("/dev/" + port).c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
      if (fd) return fd;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr, "stage1-kvm guest: the control port %s is missing; no enter, no gentle stop\n",
               kControlPortName);
  return {};
}

// pod init's sd_notify target (it runs with --notify): READY=1 once every app started.
constexpr const char* kNotifySocket = "/run/pod-notify";

UniqueFd bind_notify_socket() {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw_errno("opening the notify socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, kNotifySocket, sizeof addr.sun_path - 1);
  check_sys(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr),
            std::string("binding ") + kNotifySocket);
  return fd;
}

pid_t start_pod_init(const GuestConfig& config, const sigset_t& original, int out, int err) {
  std::vector<std::string> argv = config.init_argv;
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting pod init (fork)");
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    (void)dup2(null, 0);
    (void)dup2(out, 1);
    (void)dup2(err, 2);
    (void)setsid();
    (void)sigprocmask(SIG_SETMASK, &original, nullptr);
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    std::string notify_env = std::string("NOTIFY_SOCKET=") + kNotifySocket;
    std::string metadata_env = "POD_METADATA_URL=" + config.metadata_url;
    char* env[] = {path, notify_env.data(), config.metadata_url.empty() ? nullptr : metadata_env.data(), nullptr};
    execve(c[0], c.data(), env);
    std::fprintf(stderr, "stage1-kvm guest: executing pod init %s: %s\n", c[0], std::strerror(errno));
    _exit(254);
  }
  return pid;
}

[[noreturn]] void power_off() {
  ::sync();
  // The kernel's reboot=t and qemu's -no-reboot turn this into qemu's exit.
  (void)reboot(RB_AUTOBOOT);
  for (;;) pause();
}

int boot() {
  guest::mount_early();
  guest::load_modules("/modules");
  guest::mount_share(kPodShareTag, kShare, false);
  const GuestConfig config = parse_guest_config(read_file(std::string(kRoot) + kGuestConfig));
  guest::switch_root(kRoot, kShare, config);
  guest::set_up_network(config.network);
  if (!config.hostname.empty()) check_sys(sethostname(config.hostname.data(), config.hostname.size()), "sethostname");

  UniqueFd out = open_raw("/dev/hvc0");
  UniqueFd err = open_raw("/dev/hvc1");
  UniqueFd control = open_control_port();
  sigset_t chld;
  sigset_t original;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  check_sys(sigprocmask(SIG_BLOCK, &chld, &original), "blocking SIGCHLD");
  UniqueFd notify = bind_notify_socket();
  const pid_t init = start_pod_init(config, original, out.get(), err.get());
  guest::Agent agent(init, std::move(control), std::move(notify), original);
  return agent.run();
}

}  // namespace

int main() {
  try {
    (void)boot();
  } catch (const std::exception& e) {
    // The console (ttyS0) is the guest's log, which the host shows when the pod fails.
    std::fprintf(stderr, "stage1-kvm guest: %s\n", e.what());
  }
  power_off();
}
