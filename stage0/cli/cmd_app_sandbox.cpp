// pod app sandbox: a running pod with no apps, its network set up, apps added later
// (Documentation/app.md). The pod runs in a session of its own, so it outlives this
// command (a kill -9 of it leaves the sandbox running and manageable); the command
// prints the UUID once pod init takes requests, then waits for the pod to end, passing
// SIGTERM/SIGINT on, and exits with the pod's status.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/run_prepare_flags.hpp"
#include "stage0/pods/app_ops.hpp"
#include "stage0/pods/launch.hpp"
#include "stage0/pods/prepare.hpp"
#include "stage0/pods/resolve.hpp"

namespace pod::cli {
namespace {

// Does pod init answer on the pod's control socket (stage1-abi.md, "Mutable pods")?
bool control_answers(int pod_dir_fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(pod_dir_fd) + "/control/init.sock";
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

// rkt's sandbox --port: NAME:PROTOCOL:PODPORT:HOSTIP:HOSTPORT, the pod's own port (appc's
// podPort), since no app that could declare it exists yet.
aci::ExposedPort parse_sandbox_port(const std::string& text) {
  auto parts = split(text, ':');
  auto bad = [&] {
    return UsageError("--port \"" + text + "\": expected NAME:PROTOCOL:PODPORT:HOSTIP:HOSTPORT", 0,
                      "e.g. --port=http:tcp:8080:0.0.0.0:8080");
  };
  if (parts.size() != 5) throw bad();
  auto number = [&](std::string_view v) {
    try {
      size_t used = 0;
      int n = std::stoi(std::string(v), &used);
      if (used != v.size() || n <= 0 || n > 65535) throw bad();
      return n;
    } catch (const std::logic_error&) {
      throw bad();
    }
  };
  std::string proto(parts[1]);
  if (parts[0].empty() || (proto != "tcp" && proto != "udp")) throw bad();
  aci::ExposedPort p;
  p.name = std::string(parts[0]);
  p.host_ip = std::string(parts[3]);
  if (p.host_ip == "0.0.0.0") p.host_ip.clear();
  p.host_port = static_cast<uint16_t>(number(parts[4]));
  p.extra["podPort"] = {{"name", p.name}, {"protocol", proto}, {"port", number(parts[2])}, {"count", 1},
                        {"socketActivated", false}};
  return p;
}

volatile sig_atomic_t g_forward_to = 0;  // the sandbox's pid, for the signal handler

void forward_signal(int sig) {
  if (g_forward_to > 0) (void)::kill(static_cast<pid_t>(g_forward_to), sig);
}

}  // namespace

Command app_sandbox_command() {
  Command c;
  c.name = "app sandbox";
  c.summary = "Start a pod with no apps, to add apps to while it runs; prints its UUID";
  c.usage = "pod app sandbox [--net=...] [--port=NAME:PROTO:PODPORT:HOSTIP:HOSTPORT] [--dns=...] [--hostname=...] [--annotation=...] "
            "[--uuid-file-save=FILE]";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    auto str = [] { return cxxopts::value<std::string>(); };
    p.add()
        ("net", "networks to join: default, host, none, or names from net.d (repeatable)", str())
        ("port", "publish a port of the pod: NAME:PROTOCOL:PODPORT:HOSTIP:HOSTPORT (repeatable)", str())
        ("dns", "name server for the pod (repeatable)", str())
        ("dns-search", "DNS search domain (repeatable)", str())
        ("dns-opt", "DNS resolver option (repeatable)", str())
        ("dns-domain", "the pod's DNS domain", str())
        ("hostname", "the pod's hostname", str())
        ("hosts-entry", "IP=HOSTNAME line for /etc/hosts (repeatable)", str())
        ("volume", "pod volume NAME,kind=host,source=/PATH or NAME,kind=empty (repeatable)", str())
        ("annotation", "NAME=VALUE annotation on the pod (repeatable)", str())
        ("user-annotation", "NAME=VALUE user annotation on the pod (repeatable)", str())
        ("user-label", "NAME=VALUE user label on the pod (repeatable)", str())
        ("stage1-name", "stage1 image by name", str())
        ("stage1-path", "stage1 image from an ACI file", str())
        ("stage1-hash", "stage1 image by ID in the store", str())
        ("stage1-from-dir", "stage1 image file name in the stage1 images directory", str())
        ("uuid-file-save", "write the pod's UUID to this file", str());
    auto res = p.parse(inv.args, inv.global);
    require_no_arguments(res, "app sandbox", "apps are added later with 'pod app add UUID IMAGE'");
    const auto& g = inv.global;
    Logger log = g.logger();

    pods::PrepareRequest req;
    req.durable = false;
    req.pod.annotations.set(pods::kMutableAnnotation, "true");
    for (const auto& v : all_values(res, "annotation")) {
      auto [k, val] = name_value(v, "annotation");
      req.pod.annotations.set(k, val);
    }
    read_pod_label_flags(res, req.pod);
    for (const auto& v : all_values(res, "volume")) req.pod.volumes.push_back(aci::Volume::parse_flag(v));
    aci::PodManifest manifest;
    for (const auto& v : all_values(res, "port")) manifest.ports.push_back(parse_sandbox_port(v));
    manifest.volumes = req.pod.volumes;
    manifest.annotations = req.pod.annotations;
    manifest.user_annotations = req.pod.user_annotations;
    manifest.user_labels = req.pod.user_labels;
    req.manifest = manifest;
    read_stage1_flags(res, req.stage1);
    set_image_sources(g, req.sources);

    pods::RunFlags run;
    read_pod_run_flags(res, g, run);

    // The store is closed again before the long wait: nothing of it is needed then.
    std::optional<store::Store> st(store::Store::open(g.dir, log));
    pods::Pod pod = pods::prepare_pod(g.dir, *st, req, log);
    st.reset();
    try {
      pods::Stage1Image s1 = pods::load_stage1(pod);
      if (s1.entrypoint(pods::kEntrypointAppAdd).empty()) {
        Error e("the stage1 image " + s1.manifest.name + " has no app entrypoints: it cannot run a sandbox");
        e.set_hint("use a stage1 flavor with app entrypoints (nspawn, the default); fly has none");
        throw e;
      }
      // Bound into the pod (and the app lock's file) before any app exists.
      make_dirs(pod.file(pods::pod_file::kAppsInfo));
      if (res.count("uuid-file-save")) pods::write_uuid_file(res["uuid-file-save"].as<std::string>(), pod.uuid());
      pod.move_to(pods::DirState::run);
    } catch (...) {
      pod.destroy();
      throw;
    }
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child < 0) {
      pod.destroy();
      throw_errno("starting the sandbox (fork)");
    }
    if (child == 0) {
      // A session of its own: the terminal's signals and this command's death stay here.
      (void)::setsid();
      try {
        pods::exec_pod(pod, run, log);
      } catch (const Error& e) {
        std::fprintf(stderr, "pod: error: %s\n", e.what());
        if (!e.hint().empty()) std::fprintf(stderr, "pod: %s\n", e.hint().c_str());
      }
      ::_exit(254);
    }
    // The child holds the pod's lock (the same open file) from here on.
    UniqueFd dir(::open(pod.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    g_forward_to = child;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) (void)sigaction(sig, &sa, nullptr);

    int status = 0;
    bool ready = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!ready) {
      pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) {
        print_error(Error("sandbox " + pod.uuid() + " ended before it was ready (status " +
                          std::to_string(exit_code_of(status)) + ")"));
        return kExitFailure;
      }
      if (dir && control_answers(dir.get())) {
        ready = true;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        print_error(Error("sandbox " + pod.uuid() + " did not become ready within 120s; it is left running"));
        return kExitFailure;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::printf("%s\n", pod.uuid().c_str());
    std::fflush(stdout);
    while (::waitpid(child, &status, 0) < 0) {
      if (errno != EINTR) throw_errno("waiting for sandbox " + pod.uuid());
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
  };
  return c;
}

}  // namespace pod::cli
