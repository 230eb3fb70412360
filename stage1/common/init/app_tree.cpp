#include "stage1/common/init/app_tree.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "stage1/common/dev.hpp"
#include "stage1/common/host_files.hpp"
#include "stage1/common/kernel_filesystems.hpp"
#include "stage1/common/kernel_paths.hpp"
#include "stage1/common/mounting.hpp"
#include "stage1/common/volumes.hpp"

namespace pod::stage1::init {
namespace {

// The rootfs as a mount of its own, so a read-only rootfs or the launcher's pivot never
// touches the mount that merely contains it (stage0 mounts it as an overlay already).
UniqueFd open_app_root(const std::string& path) {
  UniqueFd root = open_fd(path, O_PATH | O_DIRECTORY);
  if (is_mount_root(root.get())) return root;
  bind_mount(root.get(), root.get(), BindOptions{true, false}, "binding the app's rootfs onto itself");
  return open_fd(path, O_PATH | O_DIRECTORY);
}

}  // namespace

void prepare_app_tree(const std::string& rootfs, const aci::PodManifest& pod,
                      const aci::RuntimeApp& runtime, const aci::App& app,
                      const AppTreeOptions& o, const Logger& log) {
  // Volume errors (a mount point without a volume) come before anything is mounted.
  auto volumes = plan_volume_mounts(pod, runtime, app, runtime.name);
  for (auto& v : volumes) {
    // Host paths are not visible inside the pod: the run entrypoint bound each host
    // volume at <host_volumes>/<name>, and it is mounted from there.
    if (v.volume.kind == "host") v.volume.source = o.host_volumes + "/" + v.volume.name;
  }
  UniqueFd root = open_app_root(rootfs);
  setup_dev(root.get(), DevOptions{o.console});
  with_context("mounting /proc", [&] { mount_proc(root.get()); });
  with_context("mounting /sys", [&] { mount_sys(root.get()); });
  with_context("mounting /tmp", [&] { mount_tmp(root.get()); });
  if (!o.disable_paths) protect_kernel_paths(root.get());
  setup_host_files(root.get(), HostFilesOptions{o.dns, o.generated_dir});
  mount_volumes(root.get(), volumes, o.empty_volumes, log);
  if (runtime.read_only_rootfs) {
    struct mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    check_sys(mount_setattr(root.get(), "", AT_EMPTY_PATH, &attr, sizeof(attr)),
              "making the app's rootfs read-only");
  }
}

}  // namespace pod::stage1::init
