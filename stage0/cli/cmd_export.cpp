#include <sys/mount.h>

#include <cstdio>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/flock.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"
#include "common/strings.hpp"
#include "common/temp_path.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/stage1_exec.hpp"

namespace pod::cli {

Command export_command() {
  Command c;
  c.name = "export";
  c.summary = "Export an app of an exited pod as an ACI";
  c.usage = "pod export [--app=NAME] [--overwrite] UUID OUT.aci";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()
        ("app", "the app to export (needed when the pod has several)", cxxopts::value<std::string>())
        ("overwrite", "replace OUT.aci if it exists", cxxopts::value<bool>()->default_value("false"))
        ("args", "UUID OUT.aci", cxxopts::value<std::vector<std::string>>());
    p.positional({"args"}, "UUID OUT.aci");
    auto res = p.parse(inv.args, inv.global);
    std::vector<std::string> args;
    if (res.count("args")) args = res["args"].as<std::vector<std::string>>();
    if (args.size() != 2) throw UsageError("pod export needs a pod UUID and an output file");
    const std::string out = args[1];
    Logger log = inv.global.logger();
    pods::Pod pod = pods::open_pod_arg(inv.global.dir, {args[0]}, std::nullopt);
    return with_context("exporting pod " + pod.uuid(), [&]() -> int {
      // A shared lock on an fd of its own (probing the pod's state through pod.dir_fd()
      // would release it): gc and rm, which need the lock exclusively, leave the pod alone
      // meanwhile, while status still sees a pod that is not running.
      FileLock hold = FileLock::try_acquire(pod.path(), LockMode::shared);
      if (!hold.held()) {
        Error e("the pod is " + std::string(pods::state_name(pod.state())));
        e.set_hint("stop it first, or wait until it has exited");
        throw e;
      }
      pods::DirState d = pod.dir_state();
      if (d != pods::DirState::run && d != pods::DirState::exited_garbage) {
        Error e("the pod is " + std::string(pods::state_name(pod.state())) + " and never ran");
        e.set_hint("export works on pods that have exited");
        throw e;
      }
      auto info = pods::read_pod_info(pod);
      std::string app = pods::choose_app(
          info, res.count("app") ? std::optional(res["app"].as<std::string>()) : std::nullopt);
      std::string info_dir = pods::app_info_dir(pod.path(), app);
      if (!is_directory(info_dir)) throw UsageError("the pod has no app named \"" + app + "\"");
      std::string tree_id(trim(read_file(info_dir + "/treeStoreID")));
      std::string lower = pods::tree_rootfs(inv.global.dir, tree_id);
      std::string upper = pods::app_overlay_dir(pod.path(), app) + "/upper";
      std::string copied =
          pods::app_rootfs_in_stage1(pod.file(pods::pod_file::kStage1Rootfs), app);

      TempPath tmp = make_temp_dir(pod.path(), ".export-");
      write_file_atomic(tmp.path() + "/manifest", read_file(info_dir + "/manifest"));
      std::string rootfs = tmp.path() + "/rootfs";
      make_dirs(rootfs);
      pods::enter_private_mount_namespace();
      MountGuard guard;
      if (path_exists(pods::copied_marker(upper))) {
        // The pod ran without overlayfs: its copy holds the app's changes already.
        guard = mount_or_throw(copied, rootfs, "", MS_BIND | MS_REC);
      } else {
        // The app's changes over its image, read-only: upper as the top lower layer.
        guard = mount_or_throw("overlay", rootfs, "overlay", MS_RDONLY,
                               "lowerdir=" + upper + ":" + lower);
      }
      aci::WriteOptions wo;
      wo.overwrite = res["overwrite"].as<bool>();
      auto written = aci::write_aci(tmp.path(), out, wo);
      log.debug("exported " + written.image_id);
      return 0;
    });
  };
  return c;
}

}  // namespace pod::cli
