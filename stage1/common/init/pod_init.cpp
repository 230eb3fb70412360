#include "stage1/common/init/pod_init.hpp"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/group.hpp"
#include "stage1/common/cgroups/hierarchy.hpp"
#include "stage1/common/init/app_process.hpp"
#include "stage1/common/init/app_tree.hpp"
#include "stage2/effective_app.hpp"

#include <nlohmann/json.hpp>

namespace pod::stage1::init {
namespace {

// SIGPIPE is taken (and dropped) so that a reader of the pod's output going away costs
// pod init a failed write, not its life; the apps get the original mask back.
constexpr int kHandledSignals[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE};

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char* state_name(int s) {
  static const char* const names[] = {"created", "running", "exited"};
  return names[s];
}

}  // namespace

std::string app_rootfs(const std::string& app) { return "/opt/stage2/" + app + "/rootfs"; }

namespace {

int64_t kernel_pid_max() {
  try {
    return std::stoll(read_file("/proc/sys/kernel/pid_max"));
  } catch (const std::exception&) {
    return 32768;  // the kernel's default
  }
}

// sd_notify(3)'s protocol by hand (a static binary cannot load libsystemd): one datagram
// to $NOTIFY_SOCKET, which systemd-nspawn --notify-ready=yes set to its own listener.
void notify_ready(const Logger& log) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || *path == '\0') return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string p = path;
  if (p.size() >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, p.c_str(), p.size());
  if (p[0] == '@') addr.sun_path[0] = '\0';  // an abstract socket
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const char msg[] = "READY=1";
  if (!fd || ::sendto(fd.get(), msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&addr),
                      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size())) < 0)
    log.warn(std::string("pod init: telling ") + path + " the pod is ready failed");
}

}  // namespace

PodInit::PodInit(InitOptions options, const Logger& log)
    : o_(std::move(options)),
      log_(log),
      sockets_(take_listen_sockets(log)),
      journal_(JournalSink::open(kJournalSocketInPod, o_.uuid)) {
  // The pod dies with the sandbox's supervisor (systemd-nspawn, which dies with `pod run`):
  // a kill -9 of `pod run` leaves nothing running. Our SIGKILL ends the pid namespace.
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigemptyset(&handled_);
  for (int sig : kHandledSignals) sigaddset(&handled_, sig);
  check_sys(sigprocmask(SIG_BLOCK, &handled_, &original_), "pod init: blocking signals");
  signals_.reset(signalfd(-1, &handled_, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_) throw_errno("pod init: creating its signalfd");
  loop_.add(signals_.get(), EPOLLIN, [this](uint32_t) { on_signal(); });
}

PodInit::~PodInit() { (void)sigprocmask(SIG_SETMASK, &original_, nullptr); }

std::string PodInit::image_manifest(const std::string& app) const {
  return o_.appsinfo + "/" + app + "/manifest";
}

std::unique_ptr<PodInit::App> PodInit::make_app(const aci::RuntimeApp& runtime) const {
  auto app = std::make_unique<App>();
  app->name = runtime.name;
  app->runtime = runtime;
  app->created_ns = wall_ns();
  aci::ImageManifest image;
  with_context("reading image manifest " + image_manifest(runtime.name),
               [&] { image = aci::ImageManifest::parse(read_file(image_manifest(runtime.name))); });
  app->effective = stage2::effective_app(image, &runtime, runtime.name);
  app->limits = cgroups::limits_of(app->effective, runtime.name, pids_default_);
  app->supports_notify = image.annotations.get("appc.io/executor/supports-systemd-notify") == "true";
  return app;
}

void PodInit::load_manifests() {
  with_context("reading pod manifest " + o_.pod_manifest,
               [&] { manifest_ = aci::PodManifest::parse(read_file(o_.pod_manifest)); });
  if (manifest_.apps.empty() && !o_.mutable_pod) throw Error("pod " + o_.uuid + ": the pod manifest has no apps");
  pids_default_ = cgroups::default_pids_max(kernel_pid_max());
  for (const auto& runtime : manifest_.apps) {
    order_.push_back(runtime.name);
    apps_[runtime.name] = make_app(runtime);
  }
}

void PodInit::record_state(const App& app) {
  nlohmann::json j = {{"name", app.name}, {"state", state_name(static_cast<int>(app.state))},
                      {"created_at", app.created_ns}};
  if (app.state == State::running) j["pid"] = app.pid;
  if (app.started_ns != 0) j["started_at"] = app.started_ns;
  if (app.finished_ns != 0) j["finished_at"] = app.finished_ns;
  if (app.exit_code) j["exit_code"] = *app.exit_code;
  try {
    make_dirs(kAppStateDir);
    write_file_atomic(std::string(kAppStateDir) + "/" + app.name, j.dump() + "\n", 0644, false);
  } catch (const Error& e) {
    log_.warn("pod " + o_.uuid + ": app " + app.name + ": recording its state: " + e.what());
  }
}

void PodInit::prepare_apps() {
  auto own = cgroups::parse_proc_cgroup(read_file("/proc/self/cgroup"));
  cgroups_ = with_context("pod " + o_.uuid + ": setting up cgroups",
                          [&] { return cgroups::PodCgroups::mount_all(kCgroupMounts, own, log_); });
  // Every refusal comes before any app starts.
  for (const auto& name : order_) cgroups_->check(apps_[name]->limits, name);
  for (const auto& name : order_) prepare_app(*apps_[name]);
}

void PodInit::prepare_app(App& app) {
  AppTreeOptions tree{o_.interactive, o_.disable_paths, o_.dns, "/rkt/nspawn", "/rkt/volumes", o_.host_volumes};
  with_context("pod " + o_.uuid + ": setting up app " + app.name, [&] {
    prepare_app_tree(app_rootfs(app.name), manifest_, app.runtime, app.effective, tree, log_);
    app.cgroup_procs = cgroups_->create_app(app.name, app.limits);
  });
  record_state(app);
}

std::vector<std::string> PodInit::launcher_flags() const {
  std::vector<std::string> flags;
  if (o_.disable_capabilities_restriction) flags.emplace_back("--disable-capabilities-restriction");
  if (o_.disable_seccomp) flags.emplace_back("--disable-seccomp");
  if (o_.interactive) flags.emplace_back("--interactive");
  if (o_.debug) flags.emplace_back("--debug");
  return flags;
}

int PodInit::run_handler(App& app, const aci::EventHandler& handler) {
  LaunchSpec spec{o_.launcher,
                  launcher_args(o_.pod_manifest, image_manifest(app.name), app.name, app_rootfs(app.name),
                                launcher_flags(), handler.exec),
                  app.cgroup_procs, true, true};
  Launched l = launch(spec, original_);
  int status = 0;
  char byte = 0;
  while (waitpid(l.pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waiting for the " + handler.name + " handler of app " + app.name);
  }
  if (::read(l.launch_error.get(), &byte, 1) == 1)
    throw Error("app " + app.name + ": the " + handler.name + " handler " + join(handler.exec, " ") +
                " could not be started");
  return exit_code_of(status);
}

void PodInit::watch_output(App& app, UniqueFd& fd, Stream stream) {
  if (!fd) return;
  int raw = fd.get();
  loop_.add(raw, EPOLLIN, [this, &app, &fd, raw, stream](uint32_t) {
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(raw, buf, sizeof buf);
      if (n > 0) {
        app.log->feed(stream, std::string_view(buf, static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && (errno == EINTR)) continue;
      if (n < 0 && errno == EAGAIN) return;
      // EOF (or an error): every writer is gone.
      app.log->finish(stream);
      loop_.remove(raw);
      fd.reset();
      return;
    }
  });
}

void PodInit::start(App& app) {
  for (const auto& h : app.effective.event_handlers) {
    if (h.name != "pre-start") continue;
    int code = run_handler(app, h);
    if (code != 0) {
      log_.error("pod " + o_.uuid + ": app " + app.name + ": pre-start handler " + join(h.exec, " ") +
                 " exited with status " + std::to_string(code) + "; the app is not started");
      app.pre_start_ok = false;
      record_status(app.name, code, false);
      app.state = State::exited;
      app.exit_code = code;
      app.finished_ns = wall_ns();
      record_state(app);
      if (o_.mutable_pod) return;  // a sandbox outlives its apps
      exits_.push_back({app.name, code, false});
      begin_stop(false);
      return;
    }
  }
  const bool interactive = o_.interactive;
  std::vector<std::string> flags = launcher_flags();
  if (app.supports_notify) {
    listen_for_app_ready(app);
    flags.push_back("--notify-socket=" + app.notify->address());
  }
  std::vector<int> listen_fds;
  if (auto it = app_sockets_.find(app.name); it != app_sockets_.end()) {
    std::vector<const ListenSocket*> given;
    for (size_t i : it->second) {
      given.push_back(&sockets_[i]);
      listen_fds.push_back(sockets_[i].fd.get());
    }
    flags.push_back("--listen-fds=" + std::to_string(given.size()));
    flags.push_back("--listen-fdnames=" + listen_fdnames(given));
  }
  LaunchSpec spec{o_.launcher,
                  launcher_args(o_.pod_manifest, image_manifest(app.name), app.name, app_rootfs(app.name),
                                flags, {}),
                  app.cgroup_procs, interactive, app.name == order_.front(), listen_fds};
  for (UniqueFd* fd : {&app.out, &app.err}) {
    // A restarted app: what its last run's children still hold open is dropped.
    if (!*fd) continue;
    loop_.remove(fd->get());
    fd->reset();
  }
  Launched l = launch(spec, original_);
  app.pid = l.pid;
  app.running = true;
  app.stopped = false;
  app.state = State::running;
  app.started_ns = wall_ns();
  app.finished_ns = 0;
  app.exit_code.reset();
  record_state(app);
  app.out = std::move(l.out);
  app.err = std::move(l.err);
  app.launch_error = std::move(l.launch_error);
  if (!interactive) {
    app.log.emplace(app.name, AppLogOptions{kLogDir, o_.log_max_bytes, apps_.size() > 1 || o_.mutable_pod, 1, 2,
                                               journal_ ? &*journal_ : nullptr});
    watch_output(app, app.out, Stream::out);
    watch_output(app, app.err, Stream::err);
  }
  log_.debug("pod init: app " + app.name + " started as pid " + std::to_string(app.pid));
}

void PodInit::listen_for_app_ready(App& app) {
  app.notified_ready = false;
  if (app.notify) return;  // a restarted app keeps its socket
  // An abstract socket lives in the network namespace, which the apps share with pod init,
  // so it reaches the app whatever its root; the UUID keeps pods on the host's network apart.
  app.notify = NotifyListener::bind_abstract("pod-notify/" + o_.uuid + "/" + app.name);
  loop_.add(app.notify->fd(), EPOLLIN, [this, name = app.name](uint32_t) {
    auto it = apps_.find(name);
    if (it == apps_.end() || !it->second->notify) return;
    App& a = *it->second;
    while (auto fields = a.notify->receive()) {
      if (notify_value(*fields, "READY") != "1" || a.notified_ready) continue;
      a.notified_ready = true;
      log_.debug("pod init: app " + a.name + " is ready (READY=1)");
      maybe_notify_ready();
    }
  });
}

void PodInit::maybe_notify_ready() {
  if (!o_.notify || ready_sent_ || !all_started_ || stopping_) return;
  for (const auto& [name, app] : apps_) {
    if (app->supports_notify && app->running && !app->notified_ready) return;
  }
  ready_sent_ = true;
  notify_ready(log_);
}

void PodInit::record_status(const std::string& app, int code, bool oom) {
  try {
    make_dirs(kStatusDir);
    write_file_atomic(std::string(kStatusDir) + "/" + app, std::to_string(code), 0644, false);
    if (oom) {
      make_dirs(kReasonDir);
      write_file_atomic(std::string(kReasonDir) + "/" + app, "OOMKilled", 0644, false);
    }
  } catch (const Error& e) {
    // The status still reaches stage0 through the pod's exit status.
    log_.error("pod " + o_.uuid + ": app " + app + ": writing its exit status: " + e.what());
  }
}

size_t PodInit::running_count() const {
  size_t n = 0;
  for (const auto& [name, app] : apps_) n += app->running ? 1 : 0;
  return n;
}

void PodInit::on_signal() {
  for (;;) {
    signalfd_siginfo si{};
    ssize_t n = ::read(signals_.get(), &si, sizeof si);
    if (n != static_cast<ssize_t>(sizeof si)) return;  // EAGAIN: all taken
    if (si.ssi_signo == SIGCHLD) {
      reap();
    } else if (si.ssi_signo == SIGPIPE) {
      continue;
    } else if (!stopping_) {
      log_.debug("pod init: signal " + std::to_string(si.ssi_signo) + ": stopping the pod");
      begin_stop(true);
    }
  }
}

void PodInit::reap() {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;  // orphans of the apps are reaped here too (we are PID 1)
    for (auto& [name, app] : apps_) {
      if (app->running && app->pid == pid) {
        exited(*app, status);
        break;
      }
    }
  }
}

void PodInit::exited(App& app, int wait_status) {
  app.running = false;
  const int code = exit_code_of(wait_status);
  char byte = 0;
  const bool launch_failed = app.launch_error && ::read(app.launch_error.get(), &byte, 1) == 1;
  app.launch_error.reset();
  if (launch_failed) log_.error("pod " + o_.uuid + ": app " + app.name + " could not be started");
  const bool oom = WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL && cgroups_ &&
                   cgroups_->oom_killed(app.name);
  if (oom) log_.warn("pod " + o_.uuid + ": app " + app.name + " was killed by the OOM killer (memory limit)");
  log_.debug("pod init: app " + app.name + " exited with status " + std::to_string(code));
  record_status(app.name, code, oom);
  app.state = State::exited;
  app.exit_code = code;
  app.finished_ns = wall_ns();
  app.kill_deadline_ms = 0;
  record_state(app);
  if (o_.mutable_pod) {
    // A sandbox outlives its apps; app stop and app rm were waiting for this.
    if (app.remove_after_exit) {
      remove_app(app.name);  // answers app rm
    } else {
      answer_waiting(app, "");
    }
    return;
  }
  exits_.push_back({app.name, code, app.stopped, WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0, launch_failed});
  // rkt's rule: an app that fails stops the others; one that succeeds lets them run on, and
  // the pod ends when the last app has ended (the run loop's condition).
  if (!stopping_ && (code != 0 || launch_failed)) begin_stop(false);
  maybe_notify_ready();  // an sd_notify app that ended before READY=1 no longer holds it back
}

void PodInit::begin_stop(bool from_outside) {
  if (stopping_) return;
  stopping_ = true;
  stopped_from_outside_ = from_outside;
  kill_deadline_ms_ = now_ms() + o_.stop_timeout_ms;
  for (auto& [name, app] : apps_) {
    if (!app->running) continue;
    app->stopped = true;
    (void)::kill(app->pid, SIGTERM);  // ESRCH: exiting, its SIGCHLD follows
  }
}

void PodInit::kill_remaining() {
  killed_ = true;
  for (auto& [name, app] : apps_) {
    if (!app->running) continue;
    log_.warn("pod " + o_.uuid + ": app " + name + " did not stop within " +
              std::to_string(o_.stop_timeout_ms / 1000) + "s of SIGTERM; killing it");
    (void)::kill(app->pid, SIGKILL);
    if (cgroups_) cgroups_->kill_app(name);
  }
}

void PodInit::drain_output() {
  // What the apps' own children still hold open ends with their cgroups.
  for (const auto& name : order_) {
    if (cgroups_) cgroups_->remove_app(name);
  }
  const long long deadline = now_ms() + 1000;
  for (;;) {
    bool open = false;
    for (const auto& [name, app] : apps_) open = open || app->out || app->err;
    if (!open || now_ms() >= deadline) break;
    loop_.run_once(50);
  }
}

void PodInit::assign_listen_sockets() {
  if (sockets_.empty()) return;
  std::vector<SocketAppPorts> apps;
  for (const auto& name : order_) apps.push_back({name, apps_[name]->effective.ports});
  std::vector<std::optional<uint16_t>> ports;
  for (const auto& s : sockets_) ports.push_back(s.local_port);
  SocketAssignment a = assign_sockets(apps, ports);
  for (const auto& [app, indices] : a.by_app)
    log_.debug("pod " + o_.uuid + ": app " + app + " gets " + std::to_string(indices.size()) +
               " socket(s) of LISTEN_FDS");
  if (!a.unassigned.empty())
    log_.warn("pod " + o_.uuid + ": " + std::to_string(a.unassigned.size()) + " of the " +
              std::to_string(sockets_.size()) +
              " sockets passed in LISTEN_FDS match no app's socketActivated port; they are not used");
  app_sockets_ = std::move(a.by_app);
}

int PodInit::run() {
  load_manifests();
  assign_listen_sockets();
  prepare_apps();
  for (const auto& name : order_) {
    if (stopping_) break;
    start(*apps_[name]);
  }
  if (o_.mutable_pod) listen_for_control();
  // Every app has started: the pod is ready (its unit's Type=notify may go on) once the
  // apps that speak sd_notify have said so too.
  all_started_ = true;
  maybe_notify_ready();
  // A mutable pod runs until it is stopped, with or without apps.
  while (running_count() > 0 || (o_.mutable_pod && !stopping_)) {
    loop_.run_once(loop_timeout());
    if (stopping_ && !killed_ && now_ms() >= kill_deadline_ms_) kill_remaining();
    kill_overdue_apps();
  }
  if (control_) {
    loop_.remove(control_.get());
    control_.reset();
    (void)::unlink(o_.control.c_str());
  }
  for (auto& [name, app] : apps_) answer_waiting(*app, "the pod stopped");
  drain_output();
  for (const auto& name : order_) {
    App& app = *apps_[name];
    if (!app.pre_start_ok) continue;
    // drain_output removed the app's cgroups: its post-stop handlers run in the pod's.
    app.cgroup_procs.clear();
    for (const auto& h : app.effective.event_handlers) {
      if (h.name != "post-stop") continue;
      int code = run_handler(app, h);
      if (code != 0)
        log_.warn("pod " + o_.uuid + ": app " + name + ": post-stop handler " + join(h.exec, " ") +
                  " exited with status " + std::to_string(code));
    }
  }
  return finish();
}

int PodInit::finish() {
  const PodResult r = pod_result(exits_, stopped_from_outside_);
  try {
    make_dirs(parent_dir(kResultFile));
    write_file_atomic(kResultFile, result_text(r), 0644, false);
  } catch (const Error& e) {
    log_.error("pod " + o_.uuid + ": recording its result: " + e.what());
  }
  return r.code;
}

}  // namespace pod::stage1::init
