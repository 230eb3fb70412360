#include "stage0/pods/launch.hpp"

#include <unistd.h>

#include <map>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "mds/client/client.hpp"
#include "stage0/pods/mount_holder.hpp"
#include "stage0/pods/stage1_exec.hpp"

namespace pod::pods {

void check_mds_register(const RunFlags& flags) {
  if (!flags.mds_register) return;
  for (const auto& n : flags.net)
    if (n == "host" || n == "none")
      throw UsageError("--mds-register needs a pod network, not --net=" + n, 0,
                       "the metadata service identifies a pod by its address: run it with "
                       "--net=default (or a named network), or without --mds-register");
  mds::check_listening(mds::socket_path());
}

std::vector<std::string> stage1_run_args(const RunFlags& f, const std::string& uuid) {
  std::vector<std::string> a;
  if (f.debug) a.push_back("--debug");
  if (!f.net.empty()) a.push_back("--net=" + join(f.net, ","));
  if (f.interactive) a.push_back("--interactive");
  if (!f.local_config.empty()) a.push_back("--local-config=" + f.local_config);
  if (!f.system_config.empty()) a.push_back("--system-config=" + f.system_config);
  if (!f.hostname.empty()) a.push_back("--hostname=" + f.hostname);
  for (const auto& d : f.dns) a.push_back("--dns=" + d);
  for (const auto& d : f.dns_search) a.push_back("--dns-search=" + d);
  for (const auto& d : f.dns_opt) a.push_back("--dns-opt=" + d);
  if (!f.dns_domain.empty()) a.push_back("--dns-domain=" + f.dns_domain);
  for (const auto& h : f.hosts_entries) a.push_back("--hosts-entry=" + h);
  if (f.disable_capabilities) a.push_back("--disable-capabilities-restriction");
  if (f.disable_paths) a.push_back("--disable-paths");
  if (f.disable_seccomp) a.push_back("--disable-seccomp");
  a.push_back(uuid);
  return a;
}

void exec_pod(Pod& pod, const RunFlags& flags, const Logger& log) {
  if (!pod.holds_lock() || pod.dir_state() != DirState::run)
    throw Error("running pod " + pod.uuid() + " that is not locked in run/ (a bug)");
  with_context("running pod " + pod.uuid(), [&] {
    Stage1Image stage1 = load_stage1(pod);
    std::string entry = stage1.entrypoint(kEntrypointRun);
    if (entry.empty()) {
      Error e("the stage1 image " + stage1.manifest.name + " declares no " + kEntrypointRun +
              " entrypoint");
      e.set_hint("choose a stage1 image with --stage1-path/--stage1-name");
      throw e;
    }
    UniqueFd host_mntns = open_inheritable_mount_namespace();
    enter_private_mount_namespace();
    bool copy = flags.no_overlay || path_exists(pod.file(pod_file::kNoOverlay));
    mount_pod_rootfs(pod, stage1, pod.data_dir(), log, copy);
    std::string dir = pod.path();
    check_sys(::chdir(dir.c_str()), "entering pod directory " + dir);
    UniqueFd lock_fd = pod.inheritable_lock_fd();
    std::string fd_text = std::to_string(lock_fd.get());
    std::vector<std::string> argv = {dir + "/" + pod_file::kStage1Rootfs + entry};
    for (auto& a : stage1_run_args(flags, pod.uuid())) argv.push_back(std::move(a));
    if (flags.mds_register) {
      // Registered while the pod is locked in run/, so the service sees it alive from now on.
      // The service reads the pod's files, whatever its working directory: an absolute data dir.
      char cwd[4096];
      if (!::getcwd(cwd, sizeof cwd)) throw_errno("reading the pod directory's path");
      std::string data_dir = parent_dir(parent_dir(parent_dir(cwd)));
      auto reg = mds::register_pod(mds::socket_path(), {pod.uuid(), data_dir});
      argv.insert(argv.end() - 1, {"--mds-token=" + reg.token, "--mds-port=" + std::to_string(reg.port)});
    }
    // The overlays' last unmount syncs the host's file system: off pod run's exit path.
    if (!copy) {
      if (auto holder = fork_mount_namespace_holder())
        log.debug("pod mount namespace held by process " + std::to_string(*holder));
    }
    log.debug("executing " + join(argv, " ") + " with RKT_LOCK_FD=" + fd_text);
    exec_with_env(argv[0], argv,
                  {{"RKT_LOCK_FD", fd_text},
                   {"POD_LOCK_FD", fd_text},
                   {kHostMountNsEnv, std::to_string(host_mntns.get())}});
  });
  throw Error("unreachable");  // exec_with_env either execs or throws
}

}  // namespace pod::pods
