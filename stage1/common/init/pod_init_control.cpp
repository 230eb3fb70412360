// The mutable pod's side of pod init: the control socket (control.hpp) and the app
// lifecycle it drives (add, start, stop, rm), each an answer to one request.
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <ctime>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage1/common/init/control.hpp"
#include "stage1/common/init/pod_init.hpp"

namespace pod::stage1::init {
namespace {

long long mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

constexpr int kRequestTimeoutMs = 5000;

}  // namespace

void PodInit::listen_for_control() {
  make_dirs(parent_dir(o_.control), 0700);
  control_ = with_context("pod " + o_.uuid, [&] { return listen_control(o_.control); });
  loop_.add(control_.get(), EPOLLIN, [this](uint32_t) { on_control(); });
  log_.debug("pod init: waiting for apps on " + o_.control);
}

void PodInit::on_control() {
  for (;;) {
    UniqueFd conn(::accept4(control_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return;  // EAGAIN: all taken
    serve(std::move(conn));
  }
}

void PodInit::serve(UniqueFd conn) {
  auto line = read_line(conn.get(), kRequestTimeoutMs);
  if (!line) return;  // the client gave up
  ControlReply reply;
  try {
    ControlRequest r = parse_request(*line);
    log_.debug("pod init: control request " + r.op + " for app " + r.app);
    if (stopping_) throw Error("pod " + o_.uuid + " is stopping");
    if (r.op == "add") {
      add_app(r.app, r.manifest);
    } else {
      auto it = apps_.find(r.app);
      if (it == apps_.end()) throw Error("pod " + o_.uuid + " has no app named " + r.app);
      App& app = *it->second;
      if (r.op == "start") {
        if (app.running) throw Error("app " + r.app + " of pod " + o_.uuid + " is already running");
        start(app);
      } else if (r.op == "stop") {
        if (!app.running) throw Error("app " + r.app + " of pod " + o_.uuid + " is not running");
        stop_app(app, std::move(conn), false);
        return;  // answered when the app has exited
      } else if (app.running) {  // rm of a running app: stopped first
        stop_app(app, std::move(conn), true);
        return;
      } else {
        remove_app(r.app);
      }
    }
  } catch (const Error& e) {
    reply = {false, e.what()};
  }
  (void)write_text(conn.get(), format_reply(reply));
}

void PodInit::add_app(const std::string& name, const std::string& manifest_text) {
  if (apps_.count(name)) throw Error("pod " + o_.uuid + " already has an app named " + name);
  aci::PodManifest next = with_context("the pod manifest of app add " + name,
                                       [&] { return aci::PodManifest::parse(manifest_text); });
  auto runtime = std::find_if(next.apps.begin(), next.apps.end(), [&](const auto& a) { return a.name == name; });
  if (runtime == next.apps.end()) throw Error("the pod manifest sent with app add names no app " + name);
  const std::string rootfs = app_rootfs(name);
  aci::PodManifest previous = manifest_;
  try {
    if (!is_directory(rootfs + "/"))
      throw Error("the rootfs of app " + name + " is not at " + rootfs + " in the pod");
    auto app = make_app(*runtime);
    cgroups_->check(app->limits, name);
    manifest_ = std::move(next);
    prepare_app(*app);
    order_.push_back(name);
    apps_[name] = std::move(app);
    write_manifest();
  } catch (...) {
    // Nothing of a refused app stays: its rootfs mount (moved in by the add entrypoint),
    // the mounts made on it, its cgroup.
    (void)::umount2(rootfs.c_str(), MNT_DETACH);
    if (cgroups_) cgroups_->remove_app(name);
    if (!apps_.count(name)) manifest_ = std::move(previous);
    throw;
  }
  log_.debug("pod init: app " + name + " added");
}

void PodInit::stop_app(App& app, UniqueFd conn, bool remove) {
  app.waiting.push_back(std::move(conn));
  app.remove_after_exit = app.remove_after_exit || remove;
  if (app.stopped) return;  // SIGTERM sent already; the deadline stands
  app.stopped = true;
  app.kill_deadline_ms = mono_ms() + o_.stop_timeout_ms;
  (void)::kill(app.pid, SIGTERM);
}

void PodInit::kill_overdue_apps() {
  const long long now = mono_ms();
  for (auto& [name, app] : apps_) {
    if (!app->running || app->kill_deadline_ms == 0 || now < app->kill_deadline_ms) continue;
    log_.warn("pod " + o_.uuid + ": app " + name + " did not stop within " +
              std::to_string(o_.stop_timeout_ms / 1000) + "s of SIGTERM; killing it");
    app->kill_deadline_ms = 0;
    (void)::kill(app->pid, SIGKILL);
    if (cgroups_) cgroups_->kill_app(name);
  }
}

int PodInit::loop_timeout() const {
  long long next = -1;
  auto consider = [&](long long deadline) {
    long long left = std::max(0LL, deadline - mono_ms());
    next = next < 0 ? left : std::min(next, left);
  };
  if (stopping_ && !killed_) consider(kill_deadline_ms_);
  for (const auto& [name, app] : apps_)
    if (app->running && app->kill_deadline_ms != 0) consider(app->kill_deadline_ms);
  return static_cast<int>(next);
}

void PodInit::answer_waiting(App& app, const std::string& error) {
  const std::string reply = format_reply(ControlReply{error.empty(), error});
  for (auto& conn : app.waiting) (void)write_text(conn.get(), reply);
  app.waiting.clear();
}

void PodInit::remove_app(const std::string& name) {
  auto it = apps_.find(name);
  if (it == apps_.end()) return;
  App& app = *it->second;
  // Output the app's children still hold is dropped with the app.
  for (UniqueFd* fd : {&app.out, &app.err}) {
    if (!*fd) continue;
    loop_.remove(fd->get());
    fd->reset();
  }
  if (app.notify) {
    loop_.remove(app.notify->fd());
    app.notify.reset();
  }
  const std::string rootfs = app_rootfs(name);
  if (::umount2(rootfs.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    log_.warn("pod " + o_.uuid + ": app " + name + ": unmounting " + rootfs + " failed: " + std::strerror(errno));
  (void)::rmdir(rootfs.c_str());
  (void)::rmdir(parent_dir(rootfs).c_str());
  if (cgroups_) cgroups_->remove_app(name);
  (void)::unlink((std::string(kAppStateDir) + "/" + name).c_str());
  (void)::unlink((std::string(kStatusDir) + "/" + name).c_str());
  (void)::unlink((std::string(kReasonDir) + "/" + name).c_str());
  std::vector<UniqueFd> waiting = std::move(app.waiting);
  apps_.erase(it);
  order_.erase(std::remove(order_.begin(), order_.end(), name), order_.end());
  manifest_.apps.erase(std::remove_if(manifest_.apps.begin(), manifest_.apps.end(),
                                      [&](const auto& a) { return a.name == name; }),
                       manifest_.apps.end());
  write_manifest();
  const std::string reply = format_reply(ControlReply{});
  for (auto& conn : waiting) (void)write_text(conn.get(), reply);
  log_.debug("pod init: app " + name + " removed");
}

void PodInit::write_manifest() {
  // The launcher (and enter's) read the pod manifest here: it must name every app.
  with_context("pod " + o_.uuid + ": writing " + o_.pod_manifest,
               [&] { write_file_atomic(o_.pod_manifest, manifest_.serialize(), 0644, false); });
}

}  // namespace pod::stage1::init
