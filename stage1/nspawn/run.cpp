// run: the pod's cgroups, systemd-nspawn with pod init as PID 1, the pid file, signals
// passed on, and everything torn down once nspawn has ended.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
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
#include "stage1/common/init/journal.hpp"
#include "stage1/common/notify_socket.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/nspawn/entrypoints.hpp"
#include "stage1/nspawn/layout.hpp"
#include "stage1/nspawn/machined.hpp"
#include "stage1/nspawn/nspawn_command.hpp"
#include "stage1/nspawn/nspawn_process.hpp"
#include "stage1/nspawn/options.hpp"
#include "stage1/nspawn/pod_network_plan.hpp"
#include "stage1/nspawn/pod_process.hpp"
#include "stage1/nspawn/socket_passing.hpp"

namespace pod::stage1::nspawn {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
constexpr const char* kHostJournalSocket = "/run/systemd/journal/socket";

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

// A set-up that fails before the pod starts ends the waiting nspawn child and removes the
// cgroups it joined, as if it had never been forked.
class AbandonUnstarted {
 public:
  AbandonUnstarted(PendingNspawn& pending, const std::vector<std::string>& cgroup_dirs)
      : pending_(pending), cgroup_dirs_(cgroup_dirs) {}
  AbandonUnstarted(const AbandonUnstarted&) = delete;
  AbandonUnstarted& operator=(const AbandonUnstarted&) = delete;
  ~AbandonUnstarted() {
    if (pending_.process.pid() <= 0) return;  // started: run's own ending cleans up
    { const PendingNspawn dropped = std::move(pending_); }  // closed, killed and reaped
    try {
      (void)cgroups::remove_cgroups(cgroup_dirs_, 2000);
    } catch (const Error&) {
      // recorded in the pod directory: gc removes them
    }
  }

 private:
  PendingNspawn& pending_;
  const std::vector<std::string>& cgroup_dirs_;
};

// Waits for nspawn, passing stop signals on and writing the pid file once pod init is up
// (`init_seen`). nspawn names the container's leader on its NOTIFY_SOCKET, which is ours
// (X_NSPAWN_LEADER_PID, sent just before the leader executes pod init): the pid file is
// written without scanning /proc every few milliseconds while nspawn sets the container
// up, which took CPU from nspawn itself. READY=1 (nspawn --notify-ready=yes sends it once
// pod init has) goes on to the unit's socket. Returns nspawn's wait status.
int supervise(pid_t child, const sigset_t& waited, const NotifyListener& notify, const PodLayout& pod,
              const RunOptions& o, const Logger& log, bool& init_seen) {
  UniqueFd signals(signalfd(-1, &waited, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals) throw_errno("waiting for systemd-nspawn (signalfd)");
  const char* unit_socket = std::getenv("NOTIFY_SOCKET");
  std::optional<pid_t> leader;
  for (;;) {
    if (!init_seen) {
      // An nspawn that never names its leader: found in /proc, at the long timeout's pace.
      std::optional<pid_t> init = leader ? (is_pod_init(*leader, o.uuid) ? leader : std::nullopt)
                                         : find_container_init(child, o.uuid);
      if (init) {
        write_pid_file(pod, *init);
        init_seen = true;
        log.debug("pod " + o.uuid + ": pod init is pid " + std::to_string(*init));
      }
    }
    // Once the leader is known it is about to execute pod init: a short wait, a few times.
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {notify.fd(), POLLIN, 0}};
    if (::poll(fds, 2, init_seen ? -1 : (leader ? 1 : 50)) < 0) {
      if (errno == EINTR) continue;
      throw_errno("waiting for systemd-nspawn");
    }
    if (fds[1].revents & POLLIN) {
      while (auto fields = notify.receive()) {
        if (auto pid = notify_value(*fields, "X_NSPAWN_LEADER_PID"); pid && !leader) {
          int v = 0;
          auto [end, ec] = std::from_chars(pid->data(), pid->data() + pid->size(), v);
          if (ec == std::errc() && end == pid->data() + pid->size() && v > 0) leader = v;
        }
        if (unit_socket != nullptr && notify_value(*fields, "READY") == "1" && !notify_send(unit_socket, "READY=1"))
          log.warn(std::string("pod ") + o.uuid + ": telling " + unit_socket + " the pod is ready failed");
      }
    }
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    while (::read(signals.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      // nspawn turns a stop signal into SIGTERM for pod init (--kill-signal)
      if (si.ssi_signo != SIGCHLD) (void)kill(child, static_cast<int>(si.ssi_signo));
    }
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) return status;
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
  plan.binds = {{pod.dir() + "/appsinfo", kAppsinfoInPod, true}};
  // A mutable pod's manifest changes while it runs: pod init keeps its own copy (a bind
  // would show the replaced file forever) and listens on a socket in the pod directory.
  const bool is_mutable = manifest.annotations.get(kMutableAnnotation).value_or("") == "true";
  if (is_mutable) {
    with_context("copying the pod manifest into the pod", [&] {
      write_file_atomic(pod.stage1_rootfs() + kPodManifestInPod, read_file(pod.pod_manifest()), 0644, false);
      make_dirs(pod.dir() + "/" + kControlDir, 0700);
    });
    plan.binds.push_back({pod.dir() + "/" + kControlDir, kControlDirInPod, false});
  } else {
    plan.binds.push_back({pod.pod_manifest(), kPodManifestInPod, true});
  }
  if (path_exists("/etc/hosts")) plan.binds.push_back({"/etc/hosts", "/etc/hosts", true});
  // The apps' output also goes to the host's journal when journald listens (journal.hpp).
  if (path_exists(kHostJournalSocket)) plan.binds.push_back({kHostJournalSocket, init::kJournalSocketInPod, false});
  for (auto& b : volume_binds(manifest)) plan.binds.push_back(std::move(b));

  // Enter's launcher gets the run's restrictions.
  with_context("writing the launcher flags", [&] {
    std::string file = pod.stage1_rootfs() + kLauncherFlagsInPod;
    make_dirs(parent_dir(file));
    write_file_atomic(file, join(launcher_flags(o), "\n"), 0644, false);
  });

  // systemd-nspawn's NOTIFY_SOCKET (supervise() says why).
  const NotifyListener notify = NotifyListener::bind_abstract("pod-run-" + o.uuid);

  // The cgroups are recorded before they exist, so gc finds them whatever happens next.
  const auto own = cgroups::parse_proc_cgroup(read_file("/proc/self/cgroup"));
  const auto cgroup_dirs = cgroups::pod_cgroup_dirs(read_file("/proc/self/mountinfo"), own, o.uuid);
  write_file_atomic(pod.dir() + "/" + kCgroupsFile, join(cgroup_dirs, "\n") + "\n", 0644, false);

  // Stop signals wait, blocked, until supervise() passes them on to nspawn.
  sigset_t waited;
  sigset_t original;
  sigemptyset(&waited);
  for (int sig : kForwarded) sigaddset(&waited, sig);
  sigaddset(&waited, SIGCHLD);
  check_sys(sigprocmask(SIG_BLOCK, &waited, &original), "blocking signals");
  PendingNspawn pending = fork_nspawn(cgroup_dirs, notify.address(), original);
  const AbandonUnstarted abandon(pending, cgroup_dirs);

  PodNetworkPlan network = plan_pod_network(pod, o, log);
  plan.network = network.mode;
  plan.netns_path = network.netns_path;
  // pod run --mds-register: the apps' AC_METADATA_URL reaches stage2 through pod init's
  // environment (stage2's kMetadataUrlEnv).
  try {
    if (auto url = metadata_url(o, network); !url.empty()) plan.env.push_back("POD_METADATA_URL=" + url);
  } catch (...) {
    teardown_pod_network(pod, log);
    throw;
  }
  // --dns wins; else the networks' own servers; else the host's resolv.conf (pod init).
  plan.init = init_command(o, plan.notify_ready, o.dns.empty() ? network.nameservers : o.dns);
  if (is_mutable) {
    plan.init.emplace_back("--mutable");
    plan.init.push_back(std::string("--control=") + kControlDirInPod + "/" + kControlSocket);
  }
  if (!plan.register_machine) private_nspawn_state();
  // Socket activation: the sockets go through nspawn to pod init (socket_passing.hpp).
  const auto sockets = passed_sockets(std::getenv("LISTEN_FDS"), std::getenv("LISTEN_PID"),
                                      std::getenv("LISTEN_FDNAMES"), getpid());
  if (sockets && !sockets->fdnames.empty()) plan.env.push_back("LISTEN_FDNAMES=" + sockets->fdnames);

  auto argv = nspawn_argv(plan);
  if (sockets) {
    argv = with_listen_pid(argv, pending.process.pid());
    log.debug("pod " + o.uuid + ": " + std::to_string(sockets->count) + " socket(s) of LISTEN_FDS passed on");
  }
  log.debug("pod " + o.uuid + ": " + shell_quoted(argv));

  ChildProcess nspawn(start_nspawn(pending, argv));
  const pid_t child = nspawn.pid();
  write_file_atomic(pod.dir() + "/" + kPpidFile, std::to_string(child), 0644, false);

  int status = 0;
  bool init_seen = false;
  try {
    status = supervise(child, waited, notify, pod, o, log, init_seen);
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
