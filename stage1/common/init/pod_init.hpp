// pod init: PID 1 of a namespaced pod. It prepares every app's rootfs, starts each app
// through the stage2 launcher in cgroups of its own, passes the apps' output on, records
// each exit status where stage0 reads it (/rkt/status/<app>), stops the pod when an app
// ends or a stop signal arrives (SIGTERM to every app, SIGKILL after the time-out), reaps
// orphans, and exits with the pod's status (exit_rule.hpp).
//
// Everything it waits for is an fd of one EventLoop; the apps live in a map keyed by
// name. A mutable pod (`pod app sandbox`, --mutable) starts with no apps, keeps running
// when its apps end, and takes apps in and out through a control socket in the same loop
// (control.hpp, pod_init_control.cpp); every app's state is recorded in kAppStateDir.
#pragma once

#include <signal.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "stage1/common/cgroups/limits.hpp"
#include "stage1/common/cgroups/pod_cgroups.hpp"
#include "stage1/common/init/app_log.hpp"
#include "stage1/common/init/event_loop.hpp"
#include "stage1/common/init/exit_rule.hpp"
#include "stage1/common/init/options.hpp"
#include "stage1/common/init/socket_activation.hpp"
#include "stage1/common/notify_socket.hpp"

namespace pod::stage1::init {

// Where pod init keeps its state inside the stage1 rootfs (stage0 reads it from the
// pod's overlay/stage1/upper, see Documentation/stage1-abi.md).
inline constexpr const char* kStatusDir = "/rkt/status";
inline constexpr const char* kReasonDir = "/rkt/reason";  // <app>: "OOMKilled"
inline constexpr const char* kLogDir = "/rkt/logs";
inline constexpr const char* kCgroupMounts = "/run/pod/cgroup";
inline constexpr const char* kResultFile = "/rkt/init/pod-result";  // exit_rule.hpp
// <app>: {"name","state","pid","created_at","started_at","finished_at","exit_code"}
// (Documentation/stage1-abi.md), rewritten atomically at every change of state.
inline constexpr const char* kAppStateDir = "/rkt/app-state";

// Where an app's rootfs is inside the stage1 rootfs (the stage1 ABI's path).
[[nodiscard]] std::string app_rootfs(const std::string& app);

class PodInit {
 public:
  PodInit(InitOptions options, const Logger& log);
  ~PodInit();
  PodInit(const PodInit&) = delete;
  PodInit& operator=(const PodInit&) = delete;

  // Runs the pod to its end; returns the pod's exit status, and records it in kResultFile.
  int run();

 private:
  enum class State { created, running, exited };
  struct App {
    std::string name;
    State state = State::created;
    long long created_ns = 0;  // wall clock, ns since the epoch
    long long started_ns = 0;
    long long finished_ns = 0;
    std::optional<int> exit_code;
    long long kill_deadline_ms = 0;  // an app stop's SIGKILL time (monotonic), 0: none
    bool remove_after_exit = false;  // app rm of a running app
    std::vector<UniqueFd> waiting;   // control connections answered when the app exits
    aci::RuntimeApp runtime;
    aci::App effective;
    cgroups::Limits limits;
    std::vector<std::string> cgroup_procs;
    pid_t pid = -1;
    bool running = false;
    bool stopped = false;  // signalled by pod init
    bool pre_start_ok = true;
    std::optional<AppLog> log;
    UniqueFd out;
    UniqueFd err;
    UniqueFd launch_error;
    // An app whose image says it speaks sd_notify: the pod is ready once it said READY=1.
    bool supports_notify = false;
    bool notified_ready = false;
    std::optional<NotifyListener> notify;
  };

  void load_manifests();
  // Hands the sockets of LISTEN_FDS to the apps with socket-activated ports
  // (socket_activation.hpp).
  void assign_listen_sockets();
  // READY=1 to $NOTIFY_SOCKET once every app has started and every running app that
  // supports sd_notify has said READY=1 (rkt's Type=notify app units).
  void maybe_notify_ready();
  void listen_for_app_ready(App& app);
  [[nodiscard]] std::unique_ptr<App> make_app(const aci::RuntimeApp& runtime) const;
  void prepare_apps();
  void prepare_app(App& app);
  void record_state(const App& app);
  // The control socket of a mutable pod (pod_init_control.cpp).
  void listen_for_control();
  void on_control();
  void serve(UniqueFd conn);
  void add_app(const std::string& name, const std::string& manifest_text);
  void stop_app(App& app, UniqueFd conn, bool remove);
  void remove_app(const std::string& name);
  void answer_waiting(App& app, const std::string& error);
  void kill_overdue_apps();
  void write_manifest();
  [[nodiscard]] int loop_timeout() const;
  void start(App& app);
  [[nodiscard]] int run_handler(App& app, const aci::EventHandler& handler);
  void watch_output(App& app, UniqueFd& fd, Stream stream);
  void on_signal();
  void reap();
  void exited(App& app, int wait_status);
  void begin_stop(bool from_outside);
  void kill_remaining();
  void drain_output();
  void record_status(const std::string& app, int code, bool oom);
  int finish();
  [[nodiscard]] std::vector<std::string> launcher_flags() const;
  [[nodiscard]] std::string image_manifest(const std::string& app) const;
  [[nodiscard]] size_t running_count() const;

  InitOptions o_;
  const Logger& log_;
  aci::PodManifest manifest_;
  std::map<std::string, std::unique_ptr<App>> apps_;
  std::vector<std::string> order_;  // the manifest's order
  std::optional<cgroups::PodCgroups> cgroups_;
  EventLoop loop_;
  sigset_t handled_{};
  sigset_t original_{};
  UniqueFd signals_;
  bool stopping_ = false;
  bool stopped_from_outside_ = false;
  bool killed_ = false;
  bool all_started_ = false;  // run() has started every app of the manifest
  bool ready_sent_ = false;
  long long kill_deadline_ms_ = 0;
  std::vector<AppExit> exits_;
  UniqueFd control_;
  std::vector<ListenSocket> sockets_;                       // LISTEN_FDS, taken at start
  std::map<std::string, std::vector<size_t>> app_sockets_;  // app -> indices into sockets_
  std::optional<JournalSink> journal_;  // the host's journald, when run bound it in
  int64_t pids_default_ = 0;
};

}  // namespace pod::stage1::init
