#include "stage0/pods/app_ops.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage0/pods/manifest_builder.hpp"
#include "stage0/pods/os_arch.hpp"
#include "stage0/store/oci_tree.hpp"

namespace pod::pods {
namespace {

std::vector<std::string> entry_args(const Pod& pod, const std::string& app, const Logger& log) {
  std::vector<std::string> a{"--app=" + app, "--uuid=" + pod.uuid()};
  if (log.debug_enabled()) a.emplace_back("--debug");
  return a;
}

std::string staged_rootfs(const Pod& pod, const std::string& app) {
  return app_overlay_dir(pod.path(), app) + "/rootfs";
}

// The add entrypoint in a child: a private mount namespace with the app's overlay at
// overlay/apps/<app>/rootfs, which the entrypoint moves into the pod.
int run_add_entrypoint(const Pod& pod, const Stage1Image& s1, const std::string& app, const Logger& log) {
  const std::string ov = app_overlay_dir(pod.path(), app);
  const std::string tree_id(trim(read_file(app_info_dir(pod.path(), app) + "/treeStoreID")));
  const store::TreeLower lower = store::tree_lower(pod.data_dir(), tree_id);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("forking for the stage1 app/add entrypoint");
  if (pid == 0) {
    try {
      enter_private_mount_namespace();
      std::string opts = "lowerdir=" + lower.lowerdir + ",upperdir=" + ov + "/upper,workdir=" + ov + "/work";
      if (!lower.base.empty()) check_sys(::chdir(lower.base.c_str()), "entering " + lower.base);
      if (::mount("overlay", staged_rootfs(pod, app).c_str(), "overlay", 0, opts.c_str()) < 0) {
        Error e("mounting the rootfs of app " + app + " (overlayfs)", errno);
        e.set_hint("app add needs overlayfs; the kernel refused it here");
        throw e;
      }
      exec_entrypoint_view(pod, s1, kEntrypointAppAdd, entry_args(pod, app, log), {}, log);
    } catch (const Error& e) {
      std::fprintf(stderr, "pod: error: %s\n", e.what());
      if (!e.hint().empty()) std::fprintf(stderr, "pod: %s\n", e.hint().c_str());
    }
    ::_exit(127);
  }
  ChildProcess child(pid);
  return exit_code_of(child.wait());
}

void call(const Pod& pod, const std::string& annotation, const std::string& what, const std::string& app,
          const Logger& log) {
  Stage1Image s1 = require_sandbox(pod, annotation);
  require_app(pod, read_manifest(pod), app);
  int rc = run_entrypoint(pod, s1, annotation, entry_args(pod, app, log), log);
  if (rc != 0)
    throw Error("pod " + pod.uuid() + ": " + what + " app " + app + " failed (stage1 exit status " +
                std::to_string(rc) + "; its message is above)");
}

void write_manifest(const Pod& pod, const aci::PodManifest& m) {
  // The manifest's mtime is the pod's creation time (pod status, pod list): kept.
  const std::string path = pod.file(pod_file::kManifest);
  struct stat before{};
  const bool had = ::stat(path.c_str(), &before) == 0;
  write_file_atomic(path, m.serialize());
  if (had) {
    const timespec times[2] = {before.st_atim, before.st_mtim};
    (void)::utimensat(AT_FDCWD, path.c_str(), times, 0);
  }
}

void remove_app_files(const Pod& pod, const std::string& app) {
  for (const auto& dir : {app_info_dir(pod.path(), app), app_overlay_dir(pod.path(), app)}) {
    try {
      if (path_exists(dir)) remove_tree(dir);
    } catch (const Error&) {
      // A busy staging mount point is left for pod gc, which removes the pod whole.
    }
  }
}

}  // namespace

FileLock lock_apps(const Pod& pod) {
  return with_context("locking the apps of pod " + pod.uuid(),
                      [&] { return FileLock::acquire(pod.file(pod_file::kAppsInfo), LockMode::exclusive, false); });
}

aci::PodManifest read_manifest(const Pod& pod) {
  return with_context("reading the manifest of pod " + pod.uuid(),
                      [&] { return aci::PodManifest::parse(read_file(pod.file(pod_file::kManifest))); });
}

void require_app(const Pod& pod, const aci::PodManifest& manifest, const std::string& app) {
  std::vector<std::string> names;
  for (const auto& a : manifest.apps) {
    if (a.name == app) return;
    names.push_back(a.name);
  }
  Error e("pod " + pod.uuid() + " has no app named " + app);
  e.set_hint(names.empty() ? "the pod has no apps; add one with 'pod app add'"
                           : "its apps: " + join(names, ", ") + " (pod app list " + pod.uuid() + ")");
  throw e;
}

Stage1Image require_sandbox(const Pod& pod, const std::string& annotation) {
  PodState state = pod.state();
  if (state != PodState::running) {
    Error e("pod " + pod.uuid() + " is " + std::string(state_name(state)) + ", not running");
    e.set_hint("apps can be added to and managed in a running sandbox only (pod app sandbox)");
    throw e;
  }
  if (read_manifest(pod).annotations.get(kMutableAnnotation).value_or("") != "true") {
    Error e("pod " + pod.uuid() + " is not a sandbox: its apps were fixed when it started");
    e.set_hint("start a pod whose apps can change with 'pod app sandbox'");
    throw e;
  }
  Stage1Image s1 = load_stage1(pod);
  if (s1.entrypoint(annotation).empty()) {
    Error e("the stage1 image " + s1.manifest.name + " of pod " + pod.uuid() + " has no " + annotation +
            " entrypoint");
    e.set_hint("app commands need a stage1 flavor with app entrypoints (nspawn); fly has none");
    throw e;
  }
  return s1;
}

MountedVolume parse_mnt_volume(const std::string& text) {
  std::string name;
  std::string target;
  std::vector<std::string> rest;
  for (const auto& part : split(text, ',')) {
    std::string p(part);
    if (starts_with(p, "name=")) name = p.substr(5);
    else if (starts_with(p, "target=")) target = p.substr(7);
    else rest.push_back(p);
  }
  if (name.empty() || target.empty())
    throw UsageError("--mnt-volume \"" + text + "\": needs name=NAME and target=PATH", 0,
                     "e.g. --mnt-volume=name=data,kind=host,source=/srv/data,target=/data");
  MountedVolume mv;
  mv.volume = aci::Volume::parse_flag(name + (rest.empty() ? "" : "," + join(rest, ",")));
  mv.mount.volume = name;
  mv.mount.path = target;
  return mv;
}

std::string add_app(Pod& pod, store::Store& store, const AddRequest& req, const Logger& log) {
  Stage1Image s1 = require_sandbox(pod, kEntrypointAppAdd);
  // The slow part (fetch, verification, rendering) comes before the lock.
  std::string id = with_context("resolving image " + req.app.image,
                                [&] { return resolve_image(store, req.app.image, req.sources, log); });
  ResolvedImage image{id, store.get(id).manifest()};
  check_runnable_os_arch(image.manifest);
  if (req.app.exec && !req.app.exec->empty() && req.app.exec->front() != '/')
    throw UsageError("--exec " + *req.app.exec + ": app add wants an absolute path", 0,
                     "give the program's path inside the image, e.g. --exec=/bin/sh");
  store::RenderedTree tree = with_context("rendering image " + image.manifest.name,
                                          [&] { return store.render(id); });

  FileLock lock = lock_apps(pod);
  aci::PodManifest before = read_manifest(pod);
  std::vector<std::string> taken;
  for (const auto& a : before.apps) taken.push_back(a.name);
  if (req.app.name && std::find(taken.begin(), taken.end(), *req.app.name) != taken.end()) {
    Error e("pod " + pod.uuid() + " already has an app named " + *req.app.name);
    e.set_hint("choose another --name, or remove the app first (pod app rm " + pod.uuid() + " --app=" +
               *req.app.name + ")");
    throw e;
  }
  aci::PodManifest after = before;
  AppOptions opts = req.app;
  for (const auto& mv : req.volumes) {
    auto same = std::find_if(after.volumes.begin(), after.volumes.end(),
                             [&](const auto& v) { return v.name == mv.volume.name; });
    if (same == after.volumes.end()) after.volumes.push_back(mv.volume);
    opts.mounts.push_back(mv.mount);
  }
  PodOptions pod_opts;
  pod_opts.volumes = after.volumes;
  aci::RuntimeApp runtime = build_runtime_app(opts, image, pod_opts, taken);
  const std::string name = runtime.name;
  after.apps.push_back(runtime);

  const std::string info = app_info_dir(pod.path(), name);
  const std::string ov = app_overlay_dir(pod.path(), name);
  remove_app_files(pod, name);  // what a crashed add may have left
  try {
    make_dirs(info);
    write_file_atomic(info + "/manifest", read_file(tree.manifest_path()), 0644, false);
    write_file_atomic(info + "/treeStoreID", tree.tree_id, 0644, false);
    for (const char* sub : {"/upper", "/work", "/rootfs"}) make_dirs(ov + sub);
    write_manifest(pod, after);
    int rc = run_add_entrypoint(pod, s1, name, log);
    if (rc != 0)
      throw Error("pod " + pod.uuid() + ": adding app " + name + " failed (stage1 exit status " +
                  std::to_string(rc) + "; its message is above)");
  } catch (...) {
    try {
      write_manifest(pod, before);
    } catch (const Error& e) {
      log.warn("restoring the manifest of pod " + pod.uuid() + ": " + e.what());
    }
    remove_app_files(pod, name);
    throw;
  }
  log.debug("pod " + pod.uuid() + ": app " + name + " added");
  return name;
}

void start_app(const Pod& pod, const std::string& app, const Logger& log) {
  call(pod, kEntrypointAppStart, "starting", app, log);
}

void stop_app(const Pod& pod, const std::string& app, const Logger& log) {
  call(pod, kEntrypointAppStop, "stopping", app, log);
}

void remove_app(const Pod& pod, const std::string& app, const Logger& log) {
  Stage1Image s1 = require_sandbox(pod, kEntrypointAppRm);
  FileLock lock = lock_apps(pod);
  aci::PodManifest m = read_manifest(pod);
  require_app(pod, m, app);
  int rc = run_entrypoint(pod, s1, kEntrypointAppRm, entry_args(pod, app, log), log);
  if (rc != 0)
    throw Error("pod " + pod.uuid() + ": removing app " + app + " failed (stage1 exit status " +
                std::to_string(rc) + "; its message is above)");
  m.apps.erase(std::remove_if(m.apps.begin(), m.apps.end(), [&](const auto& a) { return a.name == app; }),
               m.apps.end());
  write_manifest(pod, m);
  remove_app_files(pod, app);
  log.debug("pod " + pod.uuid() + ": app " + app + " removed");
}

}  // namespace pod::pods
