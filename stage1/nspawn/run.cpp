// run: the pod's cgroups, systemd-nspawn with pod init as PID 1, the pid file, signals
// passed on, and everything torn down once nspawn has ended.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/host.hpp"
#include "stage1/common/exit_status.hpp"
#include "stage1/common/init/exit_rule.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/nspawn/entrypoints.hpp"
#include "stage1/nspawn/layout.hpp"
#include "stage1/nspawn/machined.hpp"
#include "stage1/nspawn/nspawn_command.hpp"
#include "stage1/nspawn/options.hpp"
#include "stage1/nspawn/pod_network_plan.hpp"
#include "stage1/nspawn/pod_process.hpp"

namespace pod::stage1::nspawn {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

void check_nspawn_installed() {
  if (access(kNspawnBinary, X_OK) == 0) return;
  Error err(std::string(kNspawnBinary) + " is not installed", errno);
  err.set_hint("install Debian's systemd-container package (apt-get install systemd-container), "
               "or run the pod with --stage1-name of the fly flavor");
  throw err;
}

std::vector<std::string> launcher_flags(const RunOptions& o) {
  std::vector<std::string> flags;
  if (o.disable_capabilities_restriction) flags.emplace_back("--disable-capabilities-restriction");
  if (o.disable_seccomp) flags.emplace_back("--disable-seccomp");
  return flags;
}

std::vector<std::string> init_command(const RunOptions& o, bool notify, const std::vector<std::string>& dns) {
  std::vector<std::string> a{kInitPath, "--uuid=" + o.uuid, std::string("--launcher=") + kLauncherPath,
                             std::string("--pod-manifest=") + kPodManifestInPod,
                             std::string("--appsinfo=") + kAppsinfoInPod,
                             std::string("--host-volumes=") + kHostVolumesInPod};
  for (const auto& f : launcher_flags(o)) a.push_back(f);
  if (o.disable_paths) a.emplace_back("--disable-paths");
  if (o.interactive) a.emplace_back("--interactive");
  if (o.debug) a.emplace_back("--debug");
  if (notify) a.emplace_back("--notify");
  for (const auto& d : dns) a.push_back("--dns=" + d);
  return a;
}

// Host volumes are bound into the container, where pod init mounts them into the apps.
std::vector<Bind> volume_binds(const aci::PodManifest& manifest) {
  std::vector<Bind> binds;
  for (const auto& v : manifest.volumes) {
    if (v.kind != "host") continue;
    if (!path_exists(v.source)) {
      Error err("volume " + v.name + ": host path " + v.source + " does not exist");
      err.set_hint("create it, or point the volume's source at an existing path");
      throw err;
    }
    binds.push_back({v.source, std::string(kHostVolumesInPod) + "/" + v.name, v.read_only.value_or(false)});
  }
  return binds;
}

// nspawn keeps per-machine state under /run/systemd/nspawn (propagation directories,
// image locks) and refuses to clean it where /run is no tmpfs. A tmpfs there in run's
// private mount namespace keeps the host clean, whatever happens to the pod.
void private_nspawn_state() {
  make_dirs("/run/systemd/nspawn", 0755);
  check_sys(::mount("tmpfs", "/run/systemd/nspawn", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"),
            "mounting a private tmpfs at /run/systemd/nspawn");
}

[[noreturn]] void exec_nspawn(const std::vector<std::string>& argv, const std::vector<std::string>& cgroups,
                              const sigset_t& original, pid_t parent) {
  // Dies with run: a kill -9 of `pod run` leaves no nspawn behind (gc kills the rest
  // through the pod's cgroups).
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(254);
  for (int sig : kForwarded) (void)signal(sig, SIG_DFL);
  (void)sigprocmask(SIG_SETMASK, &original, nullptr);
  for (const char* var : {"RKT_LOCK_FD", "POD_LOCK_FD"}) {
    // The pod's lock stays with run: it is held exactly as long as run lives.
    if (const char* fd = std::getenv(var)) (void)fcntl(std::atoi(fd), F_SETFD, FD_CLOEXEC);
  }
  try {
    cgroups::join_cgroups(cgroups);
  } catch (const Error& e) {
    std::fprintf(stderr, "stage1-nspawn: run: joining the pod's cgroups: %s\n", e.what());
    _exit(254);
  }
  std::vector<std::string> args = argv;
  std::vector<char*> c_argv;
  for (auto& a : args) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  execv(args.front().c_str(), c_argv.data());
  std::fprintf(stderr, "stage1-nspawn: run: executing %s: %s\n", args.front().c_str(), std::strerror(errno));
  _exit(254);
}

// Waits for nspawn, passing stop signals on and writing the pid file once pod init is up
// (`init_seen`). Returns nspawn's wait status.
int supervise(pid_t child, const sigset_t& waited, const PodLayout& pod, const RunOptions& o, const Logger& log,
              bool& init_seen) {
  bool& pid_written = init_seen;
  for (;;) {
    if (!pid_written) {
      if (auto init = find_container_init(child, o.uuid)) {
        write_pid_file(pod, *init);
        pid_written = true;
        log.debug("pod " + o.uuid + ": pod init is pid " + std::to_string(*init));
      }
    }
    siginfo_t info{};
    timespec poll{0, 2000000};  // 2 ms while pod init is not found yet
    int sig = pid_written ? sigwaitinfo(&waited, &info) : sigtimedwait(&waited, &info, &poll);
    if (sig < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw_errno("waiting for systemd-nspawn");
    }
    if (sig != SIGCHLD) {
      (void)kill(child, sig);  // nspawn turns it into SIGTERM for pod init (--kill-signal)
      continue;
    }
    int status = 0;
    pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) return status;
  }
}

}  // namespace

int run_pod(const std::vector<std::string>& args) {
  const RunOptions o = parse_run_options(args);
  const Logger log(o.debug);
  const PodLayout pod = PodLayout::from_cwd();
  for (const auto& u : o.unknown) log.debug("run: ignoring flag " + u);
  check_nspawn_installed();

  aci::PodManifest manifest;
  with_context("reading pod manifest " + pod.pod_manifest(),
               [&] { manifest = aci::PodManifest::parse(read_file(pod.pod_manifest())); });

  NspawnPlan plan;
  plan.nspawn = kNspawnBinary;
  plan.rootfs = pod.stage1_rootfs();
  plan.machine = "pod-" + o.uuid;
  plan.hostname = o.hostname.empty() ? "pod-" + o.uuid : o.hostname;
  plan.register_machine = machined_reachable();
  plan.interactive = o.interactive;
  plan.notify_ready = std::getenv("NOTIFY_SOCKET") != nullptr;
  plan.private_users = o.private_users;
  plan.binds = {{pod.pod_manifest(), kPodManifestInPod, true}, {pod.dir() + "/appsinfo", kAppsinfoInPod, true}};
  if (path_exists("/etc/hosts")) plan.binds.push_back({"/etc/hosts", "/etc/hosts", true});
  for (auto& b : volume_binds(manifest)) plan.binds.push_back(std::move(b));

  // Enter's launcher gets the run's restrictions.
  with_context("writing the launcher flags", [&] {
    std::string file = pod.stage1_rootfs() + kLauncherFlagsInPod;
    make_dirs(parent_dir(file));
    write_file_atomic(file, join(launcher_flags(o), "\n"), 0644, false);
  });

  // The cgroups are recorded before they exist, so gc finds them whatever happens next.
  const auto own = cgroups::parse_proc_cgroup(read_file("/proc/self/cgroup"));
  const auto cgroup_dirs = cgroups::pod_cgroup_dirs(read_file("/proc/self/mountinfo"), own, o.uuid);
  write_file_atomic(pod.dir() + "/" + kCgroupsFile, join(cgroup_dirs, "\n") + "\n", 0644, false);

  PodNetworkPlan network = plan_pod_network(pod, o, log);
  plan.network = network.mode;
  plan.netns_path = network.netns_path;
  // --dns wins; else the networks' own servers; else the host's resolv.conf (pod init).
  plan.init = init_command(o, plan.notify_ready, o.dns.empty() ? network.nameservers : o.dns);
  if (!plan.register_machine) private_nspawn_state();

  const auto argv = nspawn_argv(plan);
  log.debug("pod " + o.uuid + ": " + shell_quoted(argv));

  sigset_t waited;
  sigset_t original;
  sigemptyset(&waited);
  for (int sig : kForwarded) sigaddset(&waited, sig);
  sigaddset(&waited, SIGCHLD);
  check_sys(sigprocmask(SIG_BLOCK, &waited, &original), "blocking signals");
  const pid_t self = getpid();
  pid_t child = fork();
  if (child < 0) throw_errno("starting systemd-nspawn (fork)");
  if (child == 0) exec_nspawn(argv, cgroup_dirs, original, self);
  ChildProcess nspawn(child);
  write_file_atomic(pod.dir() + "/" + kPpidFile, std::to_string(child), 0644, false);

  int status = 0;
  bool init_seen = false;
  try {
    status = supervise(child, waited, pod, o, log, init_seen);
    (void)nspawn.release();
  } catch (...) {
    teardown_pod_network(pod, log);
    (void)cgroups::remove_cgroups(cgroup_dirs, 2000);
    throw;
  }
  teardown_pod_network(pod, log);
  for (const auto& left : cgroups::remove_cgroups(cgroup_dirs, 2000))
    log.warn("pod " + o.uuid + ": cgroup " + left + " could not be removed; pod gc retries");
  const int nspawn_code = exit_code_of(status);
  log.debug("pod " + o.uuid + ": systemd-nspawn exited with status " + std::to_string(nspawn_code));
  // pod init's record says how the pod ended; nspawn's status cannot tell an app's exit
  // 143 from its death by SIGTERM, nor an app's 127 from a launch that failed.
  const std::string result_file = pod.stage1_rootfs() + "/rkt/init/pod-result";
  if (!path_exists(result_file)) {
    // pod init records every ending it sees, failures included: without a record it was
    // killed (`pod stop --force`), and `pod run` dies the same way, as rkt's did.
    if (init_seen) die_by_signal(SIGKILL);
    return nspawn_code != 0 ? nspawn_code : 254;  // nspawn failed before pod init started
  }
  const init::PodResult r = init::parse_result(read_file(result_file));
  // As rkt: an app killed by a signal takes `pod run` down with the same signal, so a
  // supervisor (systemd) sees the signal, not 128+N.
  if (r.signal != 0) die_by_signal(r.signal);
  return r.code;
}

}  // namespace pod::stage1::nspawn
