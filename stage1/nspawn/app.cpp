// The app entrypoints of a mutable pod (Documentation/stage1-abi.md, "App entrypoints"):
// each is one request to pod init over its control socket; app/add first moves the app's
// rootfs, which stage0 mounted in this process's mount namespace, into the pod's.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "aci/manifest.hpp"
#include "aci/names.hpp"
#include "stage1/common/init/control.hpp"
#include "stage1/common/init/pod_init.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/nspawn/entrypoints.hpp"
#include "stage1/nspawn/layout.hpp"

namespace pod::stage1::nspawn {
namespace {

struct AppArgs {
  std::string app;
  bool debug = false;
};

AppArgs parse_app_args(const std::string& entry, const std::vector<std::string>& args) {
  AppArgs a;
  for (const auto& arg : args) {
    if (starts_with(arg, "--app=")) a.app = arg.substr(6);
    else if (arg == "--debug") a.debug = true;
    // --uuid=, the UUID and flags of a newer stage0 are not needed here.
  }
  if (a.app.empty()) throw UsageError(entry + " needs --app=NAME");
  if (!aci::is_ac_name(a.app)) throw UsageError(entry + ": \"" + a.app + "\" is not an app name (AC Name)");
  return a;
}

// How long app stop and app rm wait: pod init's SIGTERM time-out (10 s) and some.
constexpr int kStopWaitMs = 30000;
constexpr int kRequestWaitMs = 60000;

int request(const std::string& entry, const std::vector<std::string>& args, const std::string& op) {
  const AppArgs a = parse_app_args(entry, args);
  UniqueFd dir = open_fd(".", O_RDONLY | O_DIRECTORY);
  UniqueFd conn = init::connect_control(dir.get(), std::string(kControlDir) + "/" + kControlSocket);
  auto reply = init::exchange(conn.get(), {op, a.app, {}}, op == "start" ? kRequestWaitMs : kStopWaitMs);
  if (!reply.ok) throw Error(reply.error);
  return 0;
}

// Host volumes the app's manifest brought (--mnt-volume): systemd-nspawn bound the pod's
// volumes at start only, so a new one is bound here, cloned before the namespace changes.
struct NewVolume {
  std::string name;
  UniqueFd tree;
  bool directory = true;
};

std::vector<NewVolume> clone_host_volumes(const aci::PodManifest& manifest) {
  std::vector<NewVolume> out;
  for (const auto& v : manifest.volumes) {
    if (v.kind != "host") continue;
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
    if (v.recursive.value_or(true)) flags |= AT_RECURSIVE;
    UniqueFd tree(static_cast<int>(::open_tree(AT_FDCWD, v.source.c_str(), flags)));
    if (!tree) throw_errno("volume " + v.name + ": binding host path " + v.source);
    if (v.read_only.value_or(false)) {
      mount_attr attr{};
      attr.attr_set = MOUNT_ATTR_RDONLY;
      check_sys(::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr),
                "volume " + v.name + ": making " + v.source + " read-only");
    }
    out.push_back({v.name, std::move(tree), is_directory(v.source)});
  }
  return out;
}

void bind_new_volumes(std::vector<NewVolume>& volumes, const Logger& log) {
  for (auto& v : volumes) {
    const std::string target = std::string(kHostVolumesInPod) + "/" + v.name;
    if (path_exists(target)) continue;  // bound when the pod started, or by an earlier add
    make_dirs(kHostVolumesInPod);
    if (v.directory) make_dirs(target);
    else write_file_atomic(target, "", 0644, false);
    check_sys(::move_mount(v.tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH),
              "binding volume " + v.name + " at " + target + " in the pod");
    log.debug("app/add: volume " + v.name + " bound at " + target);
  }
}

}  // namespace

int app_add_pod(const std::vector<std::string>& args) {
  const AppArgs a = parse_app_args("app/add", args);
  const Logger log(a.debug);
  const PodLayout pod = PodLayout::from_cwd();
  const std::string manifest = read_file(pod.pod_manifest());
  auto volumes = clone_host_volumes(aci::PodManifest::parse(manifest));
  const std::string pid = std::string(trim(read_file(pod.dir() + "/pid")));
  UniqueFd dir = open_fd(".", O_RDONLY | O_DIRECTORY);
  // Connected before leaving for the pod's namespace, where the pod directory is not.
  UniqueFd conn = init::connect_control(dir.get(), std::string(kControlDir) + "/" + kControlSocket);

  const std::string staged = "overlay/apps/" + a.app + "/rootfs";
  UniqueFd tree(static_cast<int>(
      ::open_tree(AT_FDCWD, staged.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)));
  if (!tree) throw_errno("taking the rootfs of app " + a.app + " mounted at " + pod.dir() + "/" + staged);
  UniqueFd ns = open_fd("/proc/" + pid + "/ns/mnt", O_RDONLY);
  check_sys(::setns(ns.get(), CLONE_NEWNS), "joining the mount namespace of pod init (pid " + pid + ")");
  // Now "/" is the stage1 rootfs as the pod sees it: the mount dies with the pod.
  const std::string target = init::app_rootfs(a.app);
  bind_new_volumes(volumes, log);
  make_dirs(target);
  check_sys(::move_mount(tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH),
            "mounting the rootfs of app " + a.app + " at " + target + " in the pod");
  log.debug("app/add: rootfs of app " + a.app + " mounted at " + target);
  auto reply = init::exchange(conn.get(), {"add", a.app, manifest}, kRequestWaitMs);
  if (!reply.ok) throw Error(reply.error);
  return 0;
}

int app_start_pod(const std::vector<std::string>& args) { return request("app/start", args, "start"); }
int app_stop_pod(const std::vector<std::string>& args) { return request("app/stop", args, "stop"); }
int app_rm_pod(const std::vector<std::string>& args) { return request("app/rm", args, "rm"); }

}  // namespace pod::stage1::nspawn
