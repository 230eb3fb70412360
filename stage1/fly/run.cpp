// run: one app with a mount namespace and root of its own, sharing the host's network,
// pid, uts and ipc namespaces.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/common/dev.hpp"
#include "stage1/common/exit_status.hpp"
#include "stage1/common/host_files.hpp"
#include "stage1/common/kernel_filesystems.hpp"
#include "stage1/common/kernel_paths.hpp"
#include "stage1/common/mounting.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/common/volumes.hpp"
#include "stage1/common/supervisor.hpp"
#include "stage1/fly/app_process.hpp"
#include "stage1/fly/entrypoints.hpp"
#include "stage1/fly/launcher_flags.hpp"
#include "stage1/fly/layout.hpp"
#include "stage1/fly/options.hpp"
#include "stage2/effective_app.hpp"

namespace pod::stage1::fly {
namespace {

const aci::RuntimeApp& the_only_app(const aci::PodManifest& manifest, const std::string& uuid) {
  if (manifest.apps.size() == 1) return manifest.apps.front();
  std::vector<std::string> names;
  for (const auto& a : manifest.apps) names.push_back(a.name);
  Error err("pod " + uuid + ": the fly stage1 runs exactly one app, this pod has " +
            std::to_string(manifest.apps.size()) +
            (names.empty() ? std::string() : " (" + join(names, ", ") + ")"));
  err.set_hint("run each app as its own pod, or use a stage1 flavor that runs several (nspawn)");
  throw err;
}

// Whether stage0 already made this process a mount namespace of the pod's own: it hands
// the run entrypoint an fd of the namespace it started in (POD_HOST_MNTNS_FD, see
// stage1-abi.md), and ours is another one. Without the variable, or when in doubt, no.
bool in_pod_mount_namespace() {
  const char* fd = std::getenv("POD_HOST_MNTNS_FD");
  if (!fd || !*fd) return false;
  struct stat host{}, ours{};
  if (fstat(std::atoi(fd), &host) != 0 || stat("/proc/self/ns/mnt", &ours) != 0) return false;
  return host.st_ino != ours.st_ino || host.st_dev != ours.st_dev;
}

// The app's rootfs as a mount of its own, so that a read-only rootfs or a pivot never
// touches the mount that merely contains it. stage0 mounts it as an overlay already.
UniqueFd open_app_root(const std::string& path) {
  UniqueFd root = open_fd(path, O_PATH | O_DIRECTORY);
  if (is_mount_root(root.get())) return root;
  bind_mount(root.get(), root.get(), BindOptions{true, false}, "binding the app's rootfs onto itself");
  return open_fd(path, O_PATH | O_DIRECTORY);
}

std::vector<std::string> launcher_flags_for(const RunOptions& o) {
  std::vector<std::string> flags;
  if (o.disable_capabilities_restriction) flags.emplace_back("--disable-capabilities-restriction");
  if (o.disable_seccomp) flags.emplace_back("--disable-seccomp");
  if (o.debug) flags.emplace_back("--debug");
  return flags;
}

void prepare_app_tree(const PodLayout& pod, const RunOptions& o, const aci::RuntimeApp& runtime,
                      const std::vector<VolumeMount>& volumes, const Logger& log) {
  // stage0 executes this entrypoint in a mount namespace made for the pod alone
  // (stage1-abi.md), holding the pod's overlays: the app's mounts go there. A namespace of
  // our own would copy the whole mount table and then tear stage0's down, on every start.
  // Only when stage0 did not say so is one made here.
  if (!in_pod_mount_namespace()) check_sys(unshare(CLONE_NEWNS), "creating the pod's mount namespace");
  make_mounts_private();
  UniqueFd root = open_app_root(pod.app_rootfs(runtime.name));
  setup_dev(root.get(), DevOptions{o.interactive});
  with_context("mounting /proc", [&] { mount_proc(root.get()); });
  with_context("mounting /sys", [&] { mount_sys(root.get()); });
  with_context("mounting /tmp", [&] { mount_tmp(root.get()); });
  if (!o.disable_paths) protect_kernel_paths(root.get());
  setup_host_files(root.get(), HostFilesOptions{o.dns, pod.stage1_state_dir(kFlavor)});
  mount_volumes(root.get(), volumes, pod.stage1_rootfs() + "/rkt/volumes", log);
  if (runtime.read_only_rootfs) {
    struct mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    check_sys(mount_setattr(root.get(), "", AT_EMPTY_PATH, &attr, sizeof(attr)),
              "making the app's rootfs read-only");
  }
}

}  // namespace

int run_pod(const std::vector<std::string>& args) {
  const RunOptions o = parse_run_options(args);
  const Logger log(o.debug);
  const PodLayout pod = PodLayout::from_cwd();

  aci::PodManifest manifest;
  with_context("reading pod manifest " + pod.pod_manifest(),
               [&] { manifest = aci::PodManifest::parse(read_file(pod.pod_manifest())); });
  const aci::RuntimeApp& runtime = the_only_app(manifest, o.uuid);
  const std::string& name = runtime.name;
  aci::ImageManifest image;
  with_context("reading image manifest " + pod.app_manifest(name),
               [&] { image = aci::ImageManifest::parse(read_file(pod.app_manifest(name))); });
  const aci::App app = stage2::effective_app(image, &runtime, name);
  // Volume errors (a mount point without a volume) come before anything is mounted.
  const auto volumes = plan_volume_mounts(manifest, runtime, app, name);

  // The spec requires telling the user which isolators were not enforced.
  for (const auto& iso : app.isolators) {
    if (starts_with(iso.name, "resource/") || iso.name == aci::kIsolatorCpuShares)
      log.warn("app " + name + ": fly does not enforce isolator " + iso.name + " (no cgroups)");
  }
  for (const auto& n : o.net) {
    if (n != "host" && n != "default") log.warn("fly shares the host's network; --net=" + n + " is ignored");
  }
  if (!o.hostname.empty()) log.debug("fly shares the host's hostname; --hostname is ignored");
  for (const auto& u : o.unknown) log.debug("run: ignoring flag " + u);

  with_context("pod " + o.uuid + ": setting up app " + name,
               [&] { prepare_app_tree(pod, o, runtime, volumes, log); });
  const auto flags = launcher_flags_for(o);
  save_launcher_flags(pod, flags);

  int app_status = 0;  // the app's raw wait status
  int code = 0;
  {
    SignalForwarder forwarder;
    write_pid_file(pod, getpid());
    AppLaunch launch{name, flags, o.interactive, {}};
    auto handler_launch = [&](const aci::EventHandler& h) {
      AppLaunch l = launch;
      l.command = h.exec;
      AppResult r = run_app_process(pod, l, forwarder, log);
      if (r.launch_failed)
        throw Error("app " + name + ": " + std::string(h.name) + " handler " + join(h.exec, " ") +
                    " could not be started");
      return exit_code_of(r.wait_status);
    };

    bool pre_start_failed = false;
    for (const auto& h : app.event_handlers) {
      if (h.name != "pre-start") continue;
      code = handler_launch(h);
      if (code != 0) {
        log.error("pod " + o.uuid + ": app " + name + ": pre-start handler " + join(h.exec, " ") +
                  " exited with status " + std::to_string(code) + "; the app is not started");
        pre_start_failed = true;
        break;
      }
    }
    if (!pre_start_failed) {
      AppResult r = run_app_process(pod, launch, forwarder, log);
      // As rkt: an app that cannot be started is the pod's failure (254, the launcher said
      // why), never mistaken for the app's own status 126 or 127.
      app_status = r.wait_status;
      code = exit_code_of(app_status);
      if (r.launch_failed) {
        write_exit_status(pod, name, code);
        throw Error("app " + name + " could not be started");
      }
    }
    try {
      write_exit_status(pod, name, code);
    } catch (const Error& e) {
      // The app's status still reaches stage0 as ours; the file is the second channel.
      log.error(std::string("pod ") + o.uuid + ": " + e.what());
    }
    log.debug("pod " + o.uuid + ": app " + name + " exited with status " + std::to_string(code));
    if (!pre_start_failed) {
      for (const auto& h : app.event_handlers) {
        if (h.name != "post-stop") continue;
        int handler_code = handler_launch(h);
        if (handler_code != 0)
          log.warn("pod " + o.uuid + ": app " + name + ": post-stop handler " + join(h.exec, " ") +
                   " exited with status " + std::to_string(handler_code));
      }
    }
  }  // the forwarder gives the signals back
  // As rkt-fly, whose app replaced stage1: an app killed by a signal takes the pod down
  // with the same signal, so a supervisor (systemd) sees the signal, not 128+N.
  if (WIFSIGNALED(app_status)) die_by_signal(WTERMSIG(app_status));
  return code;
}

}  // namespace pod::stage1::fly
