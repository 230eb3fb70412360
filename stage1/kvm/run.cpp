// run: the pod's cgroups and networks, the guest's configuration in the shared tree,
// qemu (in the pod's cgroups and network namespace), the pid file once the guest runs
// pod init, stop signals passed on over the control channel, and everything torn down
// once qemu has ended.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/host.hpp"
#include "stage1/common/exit_status.hpp"
#include "stage1/common/init/exit_rule.hpp"
#include "stage1/common/net/pod_network.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/kvm/control_client.hpp"
#include "stage1/kvm/entrypoints.hpp"
#include "stage1/kvm/kvm_probe.hpp"
#include "stage1/kvm/layout.hpp"
#include "stage1/kvm/qemu_command.hpp"
#include "stage1/kvm/run_plan.hpp"
#include "stage1/kvm/tap.hpp"
#include "stage1/nspawn/nspawn_command.hpp"
#include "stage1/nspawn/options.hpp"

namespace pod::stage1::kvm {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

void check_qemu_installed() {
  if (access(kQemuBinary, X_OK) == 0) return;
  Error err(std::string(kQemuBinary) + " is not installed", errno);
  err.set_hint(std::string("install Debian's ") + kQemuPackage + " package (apt-get install " + kQemuPackage +
               "), or run the pod with another stage1 flavor");
  throw err;
}

// How long the guest may take to start pod init: TCG on a loaded host is slow.
int boot_timeout_ms() {
  if (const char* v = std::getenv("POD_KVM_BOOT_TIMEOUT_MS")) {
    int ms = std::atoi(v);
    if (ms > 0) return ms;
  }
  return 180000;
}

struct QemuStart {
  QemuPlan plan;
  std::vector<std::string> cgroups;
  std::string netns_path;  // empty: no network device
  bool debug = false;
  sigset_t original{};
  pid_t parent = 0;
};

[[noreturn]] void exec_qemu(QemuStart s) {
  // Dies with run: a kill -9 of `pod run` leaves no VM behind (gc kills the rest
  // through the pod's cgroups).
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != s.parent) _exit(254);
  for (int sig : kForwarded) (void)signal(sig, SIG_DFL);
  (void)sigprocmask(SIG_SETMASK, &s.original, nullptr);
  for (const char* var : {"RKT_LOCK_FD", "POD_LOCK_FD"}) {
    // The pod's lock stays with run: it is held exactly as long as run lives.
    if (const char* fd = std::getenv(var)) (void)fcntl(std::atoi(fd), F_SETFD, FD_CLOEXEC);
  }
  // qemu takes a descriptor only if it is opened write-only, as its file chardev opens.
  for (auto [fd, target] : {std::pair{STDOUT_FILENO, &s.plan.out_fd}, std::pair{STDERR_FILENO, &s.plan.err_fd}}) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_ACCMODE) == O_WRONLY) *target = fcntl(fd, F_DUPFD, 10);
  }
  PodTap tap;
  try {
    cgroups::join_cgroups(s.cgroups);
    if (!s.netns_path.empty()) {
      tap = join_netns_with_tap(s.netns_path, "eth0");
      s.plan.tap_fd = tap.fd.get();
      s.plan.mac = tap.mac;
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "stage1-kvm: run: %s\n", e.what());
    _exit(254);
  }
  std::vector<std::string> args = qemu_argv(s.plan);
  if (s.debug) std::fprintf(stderr, "stage1-kvm: %s\n", nspawn::shell_quoted(args).c_str());
  std::vector<char*> c_argv;
  for (auto& a : args) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  execv(args.front().c_str(), c_argv.data());
  std::fprintf(stderr, "stage1-kvm: run: executing %s: %s\n", args.front().c_str(), std::strerror(errno));
  _exit(254);
}

// The last lines of the guest's console, for an error about a guest that did not boot.
std::string console_tail(const std::string& file, size_t lines) {
  std::string text;
  try {
    text = read_file(file);
  } catch (const Error&) {
    return " (none)";
  }
  auto all = split(text, '\n');
  while (!all.empty() && all.back().empty()) all.pop_back();
  if (all.empty()) return " (none)";
  size_t from = all.size() > lines ? all.size() - lines : 0;
  std::string out;
  for (size_t i = from; i < all.size(); ++i) out += "\n  " + all[i];
  return out;
}

// A host where KVM passed the probe yet a guest did not boot on it is remembered until
// it reboots (/run is a tmpfs), so later pods go straight to TCG.
constexpr const char* kKvmVerdictFile = "/run/pod/kvm-unusable";
constexpr int kKvmBootTimeoutMs = 15000;  // a KVM guest is up in about a second

std::optional<KvmProbe> known_kvm_verdict() {
  if (std::getenv("POD_KVM_FORCE_TCG") != nullptr) return KvmProbe{false, "POD_KVM_FORCE_TCG is set"};
  try {
    return KvmProbe{false, std::string(trim(read_file(kKvmVerdictFile))) + ", as " + kKvmVerdictFile + " records"};
  } catch (const Error&) {
    return std::nullopt;
  }
}

void remember_kvm_unusable(const std::string& why) {
  try {
    make_dirs(parent_dir(kKvmVerdictFile), 0755);
    write_file_atomic(kKvmVerdictFile, why + "\n", 0644, false);
  } catch (const Error&) {
    // Not remembered: the next pod tries KVM again.
  }
}

// Asks pod init to stop the apps; a VM that cannot be asked is ended.
void forward_stop(const std::string& socket, pid_t qemu, int sig, const Logger& log) {
  try {
    ControlRequest r;
    r.op = sig == SIGQUIT ? ControlRequest::Op::kill : ControlRequest::Op::stop;
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    (void)control_request(socket, r, null, STDERR_FILENO);
    ::close(null);
  } catch (const Error& e) {
    log.warn(std::string("stage1-kvm: stopping the pod through the VM's control channel: ") + e.what() +
             "; ending the VM");
    (void)kill(qemu, SIGTERM);
  }
}

struct Attempt {
  int status = 0;
  bool booted = false;
  bool timed_out = false;
  bool interrupted = false;  // a stop signal came while the guest booted
};

struct Vm {
  const PodLayout& pod;
  const QemuStart& start;
  const std::string& ready;
  const sigset_t& waited;
  const Logger& log;
  const std::string& uuid;
};

// One qemu, until it exits: the pid file once the guest runs pod init, stop signals
// passed on, and qemu killed if the guest has not started pod init within TIMEOUT_MS.
Attempt run_vm(const Vm& vm, int timeout_ms) {
  (void)::unlink(vm.ready.c_str());
  pid_t child = fork();
  if (child < 0) throw_errno("starting qemu (fork)");
  if (child == 0) exec_qemu(vm.start);
  ChildProcess qemu(child);
  write_file_atomic(vm.pod.dir() + "/" + kPpidFile, std::to_string(child), 0644, false);
  Attempt a;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (!a.booted && path_exists(vm.ready)) {
      // `pod status` shows the VM's pid: qemu is the pod's process on the host.
      write_pid_file(vm.pod, child);
      a.booted = true;
      vm.log.debug("pod " + vm.uuid + ": the guest runs pod init; qemu is pid " + std::to_string(child));
    }
    if (!a.booted && !a.timed_out && std::chrono::steady_clock::now() > deadline) {
      a.timed_out = true;
      qemu.kill(SIGKILL);
    }
    siginfo_t info{};
    timespec poll{0, 20000000};  // 20 ms while the guest boots
    int sig = a.booted ? sigwaitinfo(&vm.waited, &info) : sigtimedwait(&vm.waited, &info, &poll);
    if (sig < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw_errno("waiting for qemu");
    }
    if (sig != SIGCHLD) {
      if (a.booted) {
        forward_stop(vm.start.plan.control_socket, child, sig, vm.log);
      } else {
        a.interrupted = true;
        qemu.kill(SIGTERM);
      }
      continue;
    }
    if (auto done = qemu.poll()) {
      a.status = *done;
      (void)qemu.release();
      return a;
    }
  }
}

}  // namespace

int run_pod(const std::vector<std::string>& args) {
  const auto o = nspawn::parse_run_options(args);
  const Logger log(o.debug);
  const PodLayout pod = PodLayout::from_cwd();
  for (const auto& u : o.unknown) log.debug("run: ignoring flag " + u);
  check_qemu_installed();

  const RunPlan plan = plan_run(pod, o);
  QemuStart start;
  start.debug = o.debug;
  start.plan.qemu = kQemuBinary;
  start.plan.kernel = pod.stage1_rootfs() + kKernelInImage;
  start.plan.initrd = pod.stage1_rootfs() + kInitrdInImage;
  start.plan.memory_mib = plan.size.memory_mib;
  start.plan.cpus = plan.size.cpus;
  start.plan.pod_dir = pod.dir();
  start.plan.volumes = plan.volumes;
  start.plan.control_socket = pod.dir() + "/" + kControlSocket;
  start.plan.console_log = pod.dir() + "/" + kConsoleLog;
  const std::optional<KvmProbe> known = known_kvm_verdict();
  const KvmProbe probe = known ? *known : probe_kvm(1000);
  start.plan.kvm = probe.usable;
  if (!probe.usable) {
    log.warn("stage1-kvm: no usable KVM (" + probe.reason + "); the VM runs with TCG emulation, much slower");
    start.plan.tsc_khz = host_tsc_khz();
  }

  // The cgroups are recorded before they exist, so gc finds them whatever happens next.
  const auto own = cgroups::parse_proc_cgroup(read_file("/proc/self/cgroup"));
  start.cgroups = cgroups::pod_cgroup_dirs(read_file("/proc/self/mountinfo"), own, o.uuid);
  write_file_atomic(pod.dir() + "/" + kCgroupsFile, join(start.cgroups, "\n") + "\n", 0644, false);

  net::PodNetwork network = set_up_network(pod, o, log);
  GuestConfig guest = plan.guest;
  add_network(guest, network, o);
  start.netns_path = network.mode == net::NetworkSelection::Mode::networks ? network.netns_path : "";
  const std::string ready = pod.stage1_rootfs() + kGuestReady;
  try {
    write_guest_files(pod, guest, o);
    (void)::unlink(ready.c_str());
    (void)::unlink(start.plan.console_log.c_str());
  } catch (...) {
    net::teardown_pod_network(pod, log);
    throw;
  }

  sigset_t waited;
  sigemptyset(&waited);
  for (int sig : kForwarded) sigaddset(&waited, sig);
  sigaddset(&waited, SIGCHLD);
  check_sys(sigprocmask(SIG_BLOCK, &waited, &start.original), "blocking signals");
  start.parent = getpid();
  const Vm vm{pod, start, ready, waited, log, o.uuid};
  Attempt a;
  try {
    a = run_vm(vm, start.plan.kvm ? kKvmBootTimeoutMs : boot_timeout_ms());
    if (start.plan.kvm && !a.booted && !a.interrupted) {
      // The probe passed, yet the guest did not come up (a nested KVM that hangs, or a
      // CPU model qemu cannot set up): TCG from now on, for every pod of this boot.
      const std::string why = a.timed_out ? "a guest on KVM did not get the apps running within " +
                                                std::to_string(kKvmBootTimeoutMs / 1000) + " s"
                                          : "qemu on KVM ended before the guest started (status " +
                                                std::to_string(exit_code_of(a.status)) + ")";
      remember_kvm_unusable(why);
      log.warn("stage1-kvm: " + why + "; the VM runs with TCG emulation, much slower (" + kKvmVerdictFile +
               " keeps this until the host reboots)");
      start.plan.kvm = false;
      start.plan.tsc_khz = host_tsc_khz();
      (void)::unlink(start.plan.console_log.c_str());
      a = run_vm(vm, boot_timeout_ms());
    }
  } catch (...) {
    net::teardown_pod_network(pod, log);
    (void)cgroups::remove_cgroups(start.cgroups, 2000);
    throw;
  }
  const int status = a.status;
  const std::string result_file = pod.stage1_rootfs() + "/rkt/init/pod-result";
  // pod init ran, even if no app got as far as running (a failed launch, say).
  const bool booted = a.booted || path_exists(result_file);
  const bool timed_out = a.timed_out;
  net::teardown_pod_network(pod, log);
  for (const auto& left : cgroups::remove_cgroups(start.cgroups, 2000))
    log.warn("pod " + o.uuid + ": cgroup " + left + " could not be removed; pod gc retries");
  if (!booted) {
    Error err(timed_out ? "pod " + o.uuid + ": the guest did not get the apps running within " +
                              std::to_string(boot_timeout_ms()) + " ms; the VM was killed"
                        : "pod " + o.uuid + ": the VM ended before pod init started (qemu status " +
                              std::to_string(exit_code_of(status)) + ")");
    err.set_hint("the guest console's last lines:" + console_tail(start.plan.console_log, 15));
    throw err;
  }
  log.debug("pod " + o.uuid + ": qemu exited with status " + std::to_string(exit_code_of(status)));
  if (!path_exists(result_file)) die_by_signal(SIGKILL);  // the VM was killed (stop --force)
  const init::PodResult r = init::parse_result(read_file(result_file));
  if (r.signal != 0) die_by_signal(r.signal);
  return r.code;
}

}  // namespace pod::stage1::kvm
