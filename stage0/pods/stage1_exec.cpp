#include "stage0/pods/stage1_exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage0/store/layout.hpp"
#include "stage0/store/oci_tree.hpp"

extern char** environ;

namespace pod::pods {

std::string Stage1Image::entrypoint(std::string_view annotation) const {
  return manifest.annotations.get(annotation).value_or("");
}

std::string tree_rootfs(const std::string& data_dir, const std::string& tree_id) {
  store::Layout layout{path_join(data_dir, "cas")};
  return layout.tree(tree_id) + "/rootfs";
}

Stage1Image load_stage1(const Pod& pod) {
  return with_context("reading the stage1 of pod " + pod.uuid(), [&] {
    Stage1Image s;
    s.tree_id = std::string(trim(read_file(pod.file(pod_file::kStage1TreeStoreId))));
    s.tree_rootfs = tree_rootfs(pod.data_dir(), s.tree_id);
    s.manifest = aci::ImageManifest::parse(read_file(pod.file(pod_file::kStage1Manifest)));
    return s;
  });
}

UniqueFd open_inheritable_mount_namespace() {
  UniqueFd fd(::open("/proc/self/ns/mnt", O_RDONLY));  // inherited by the entrypoint
  if (!fd) throw_errno("opening /proc/self/ns/mnt");
  return fd;
}

void enter_private_mount_namespace() {
  check_sys(::unshare(CLONE_NEWNS), "creating a mount namespace for the pod");
  // Slave, not private: host mounts made later still show inside, ours never leak out.
  (void)mount_or_throw("none", "/", "", MS_REC | MS_SLAVE);
}

namespace {

// The space a copy of the tree at dirfd takes: its files' allocated blocks (a directory
// entry costs a block too), which is what the destination file system must have free.
uint64_t tree_bytes_at(int dirfd, const std::string& shown) {
  uint64_t total = 0;
  for (const auto& name : list_dir_at(dirfd, shown)) {
    struct stat st{};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    total += static_cast<uint64_t>(st.st_blocks) * 512;
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub) total += tree_bytes_at(sub.get(), shown + "/" + name);
    }
  }
  return total;
}

uint64_t available_bytes(const std::string& path) {
  struct statvfs vfs{};
  if (::statvfs(path.c_str(), &vfs) != 0) throw_errno("checking the free space at " + path);
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

Error no_space(const std::string& to, uint64_t need, uint64_t avail) {
  Error e("copying the image trees (--no-overlay) needs " + human_size(need) + " free at " + to +
              ", " + human_size(avail) + " is available",
          ENOSPC);
  e.set_hint("free space on that file system, or run without --no-overlay (overlayfs copies nothing)");
  return e;
}

// Copies the tree, first checking that it fits: a full disk is our message naming the space
// needed, not cp's line per file; a failed copy is removed, so nothing half-copied remains.
void copy_tree(const std::string& from, const std::string& to) {
  make_dirs(to);
  UniqueFd src = open_fd(from, O_RDONLY | O_DIRECTORY);
  const uint64_t need = tree_bytes_at(src.get(), from);
  const uint64_t avail = available_bytes(to);
  if (need > avail) throw no_space(to, need, avail);
  auto res = run_command({"cp", "-a", "--reflink=auto", from + "/.", to + "/"});
  if (res.exit_code == 0) return;
  const bool full = res.err.find("No space left") != std::string::npos;
  try {
    remove_tree(to);
  } catch (const Error&) {
    // The pod is removed whole when it cannot start; this only keeps the message ours.
  }
  if (full) throw no_space(to, need, available_bytes(parent_dir(to)));
  std::string first(trim(res.err.substr(0, res.err.find('\n'))));
  throw Error("copying " + from + " to " + to + " failed: " + first);
}

// Mounts an overlay (or copies when overlayfs is refused). The guard is released: the
// mount lives as long as the pod's namespace.
void overlay_or_copy(const store::TreeLower& lower, const std::string& upper,
                     const std::string& work, const std::string& target, const Logger& log,
                     bool copy) {
  make_dirs(upper);
  make_dirs(work);
  make_dirs(target);
  if (copy) {
    log.debug("--no-overlay: copying " + lower.lowerdir + " to " + target);
  } else {
    std::string opts = "lowerdir=" + lower.lowerdir + ",upperdir=" + upper + ",workdir=" + work;
    // An OCI image's layers are named relative to its tree, keeping the option short.
    UniqueFd cwd;
    if (!lower.base.empty()) {
      cwd = open_fd(".", O_RDONLY | O_DIRECTORY);
      check_sys(::chdir(lower.base.c_str()), "entering " + lower.base);
    }
    int rc = ::mount("overlay", target.c_str(), "overlay", 0, opts.c_str());
    int err = errno;
    if (cwd && ::fchdir(cwd.get()) < 0) throw_errno("returning to the working directory");
    if (rc == 0) return;
    if (err != EINVAL && err != ENODEV && err != EOPNOTSUPP && err != EPERM)
      throw_errno("mounting overlay at " + target, err);
    log.debug("overlayfs refused at " + target + " (" + std::strerror(err) +
              "): copying the tree instead, which costs time proportional to the image");
  }
  // The marker lives beside upper/, outside the tree: export must not archive it.
  std::string marker = copied_marker(upper);
  if (!path_exists(marker)) {
    if (lower.layered) store::flatten_layers(lower, target);
    else copy_tree(lower.lowerdir, target);
    // What prepare put in the upper layer (an OCI image's seeded volumes) goes over the
    // copy, as the overlay would show it.
    if (!list_dir(upper).empty()) copy_tree(upper, target);
    write_file_atomic(marker, "");
  }
}

}  // namespace

std::string copied_marker(const std::string& upper_dir) {
  return upper_dir.substr(0, upper_dir.rfind('/')) + "/copied";
}

void mount_pod_rootfs(const Pod& pod, const Stage1Image& stage1, const std::string& data_dir,
                      const Logger& log, bool copy) {
  std::string dir = pod.path();
  std::string s1root = dir + "/" + pod_file::kStage1Rootfs;
  with_context("mounting the stage1 rootfs of pod " + pod.uuid(), [&] {
    overlay_or_copy(store::TreeLower{"", stage1.tree_rootfs, false}, dir + "/" + pod_file::kStage1Upper,
                    dir + "/" + pod_file::kStage1Work, s1root, log, copy);
  });
  auto manifest = aci::PodManifest::parse(read_file(pod.file(pod_file::kManifest)));
  for (const auto& app : manifest.apps) {
    with_context("mounting the rootfs of app " + app.name, [&] {
      std::string tree_id(trim(read_file(app_info_dir(dir, app.name) + "/treeStoreID")));
      std::string ov = app_overlay_dir(dir, app.name);
      overlay_or_copy(store::tree_lower(data_dir, tree_id), ov + "/upper", ov + "/work",
                      app_rootfs_in_stage1(s1root, app.name), log, copy);
    });
  }
}

void exec_with_env(const std::string& path, const std::vector<std::string>& argv,
                   const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    std::string key(kv.substr(0, kv.find('=')));
    if (!extra_env.count(key)) env_s.emplace_back(kv);
  }
  for (const auto& [k, v] : extra_env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_s = argv;
  std::vector<char*> av;
  for (auto& s : argv_s) av.push_back(s.data());
  av.push_back(nullptr);
  ::execve(path.c_str(), av.data(), envp.data());
  int err = errno;
  Error e("executing " + path, err);
  if (err == ENOENT) e.set_hint("the stage1 image lacks this entrypoint; is it a stage1 image?");
  throw e;
}

void exec_entrypoint_view(const Pod& pod, const Stage1Image& stage1, const std::string& annotation,
                          const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& extra_env, const Logger& log) {
  std::string entry = stage1.entrypoint(annotation);
  if (entry.empty())
    throw Error("the stage1 image " + stage1.manifest.name + " declares no " + annotation +
                " entrypoint");
  std::string s1root = pod.file(pod_file::kStage1Rootfs);
  std::map<std::string, std::string> env = extra_env;
  UniqueFd host_mntns;  // only gc releases what outlives the pod (not enter's CMD to inherit)
  if (annotation == kEntrypointGc) {
    host_mntns = open_inheritable_mount_namespace();
    env[kHostMountNsEnv] = std::to_string(host_mntns.get());
  }
  enter_private_mount_namespace();
  make_dirs(s1root);
  if (!path_exists(s1root + entry)) {  // already a copy (no overlayfs): use it as it is
    (void)mount_or_throw(stage1.tree_rootfs, s1root, "", MS_BIND | MS_REC).release();
    (void)mount_or_throw("none", s1root, "", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC);
  }
  check_sys(::chdir(pod.path().c_str()), "entering pod directory " + pod.path());
  std::vector<std::string> argv = {s1root + entry};
  argv.insert(argv.end(), args.begin(), args.end());
  log.debug("executing " + join(argv, " "));
  exec_with_env(argv[0], argv, env);
}

int run_entrypoint(const Pod& pod, const Stage1Image& stage1, const std::string& annotation,
                   const std::vector<std::string>& args, const Logger& log) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("forking for the stage1 " + annotation + " entrypoint");
  if (pid == 0) {
    try {
      exec_entrypoint_view(pod, stage1, annotation, args, {}, log);
    } catch (const Error& e) {
      std::fprintf(stderr, "pod: error: %s\n", e.what());
    }
    ::_exit(127);
  }
  ChildProcess child(pid);
  return exit_code_of(child.wait());
}

}  // namespace pod::pods
