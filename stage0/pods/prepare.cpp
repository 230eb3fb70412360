#include "stage0/pods/prepare.hpp"

#include <fcntl.h>
#include <cstdio>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/pods/exec_lookup.hpp"
#include "stage0/pods/image_volumes.hpp"
#include "stage0/pods/os_arch.hpp"
#include "stage0/store/oci_tree.hpp"

namespace pod::pods {

namespace {

aci::PodManifest manifest_from_file(const std::string& file, store::Store& store,
                                    const ImageSourceOptions& sources, const Logger& log) {
  return with_context("reading --pod-manifest " + file, [&] {
    auto m = aci::PodManifest::parse(read_file(file));
    if (m.apps.empty()) throw Error("the pod manifest has no apps");
    for (auto& app : m.apps) {
      with_context("app " + app.name, [&] {
        if (!app.image.id.empty()) {
          app.image.id = store.get(app.image.id).id;
        } else {
          std::string ref = app.image.name;
          if (!app.image.labels.empty()) {
            aci::ImageReference r{app.image.name, app.image.labels};
            ref = aci::format_image_reference(r);
          }
          app.image.id = resolve_image(store, ref, sources, log);
        }
        check_runnable_os_arch(store.get(app.image.id).manifest());
      });
    }
    return m;
  });
}

// A program name given as --exec, looked up in the image (rendered, as a pod would see it)
// along the PATH the app will have: its --set-env, else the image's, else the default.
std::string exec_in_image(const std::string& program, const AppOptions& app,
                          const ResolvedImage& image, store::Store& store) {
  std::string path_env = kAppDefaultPath;
  if (image.manifest.app)
    if (auto p = image.manifest.app->environment.get("PATH")) path_env = *p;
  for (const auto& [k, v] : app.set_env)
    if (k == "PATH") path_env = v;
  store::RenderedTree tree = store.render(image.id);
  // An OCI image's tree is a stack of layers (no rootfs/): search them as the overlay will.
  store::TreeLower lower = store::tree_lower(parent_dir(store.cas_dir()), tree.tree_id);
  std::vector<std::string> layers;
  for (const auto& l : split(lower.lowerdir, ':'))
    layers.push_back(lower.base.empty() ? std::string(l) : lower.base + "/" + std::string(l));
  return resolve_exec(program, path_env, image.manifest.name, layers);
}

// A file of the new pod. No temp file, rename or fsync: the pod is invisible to every
// reader until its manifest exists, and a crash before that leaves an aborted preparation
// that gc removes whole, so durability would only cost start time.
void write_text(const std::string& path, const std::string& text) {
  make_dirs(path.substr(0, path.rfind('/')));
  UniqueFd fd = open_fd(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  write_all(fd.get(), text, path);
}

}  // namespace

Pod prepare_pod(const std::string& data_dir, store::Store& store, const PrepareRequest& req,
                const Logger& log) {
  // Everything that can fail for a user's mistake happens before the pod directory exists.
  aci::PodManifest manifest;
  std::vector<ImageVolume> image_volumes;  // OCI images' anonymous volumes, seeded below
  if (req.manifest) {
    manifest = *req.manifest;
  } else if (req.pod_manifest_file) {
    manifest = manifest_from_file(*req.pod_manifest_file, store, req.sources, log);
  } else {
    std::vector<ResolvedImage> images;
    std::vector<AppOptions> apps = req.apps;
    for (auto& app : apps) {
      std::string id = with_context("resolving image " + app.image,
                                    [&] { return resolve_image(store, app.image, req.sources, log); });
      images.push_back({id, store.get(id).manifest()});
      check_runnable_os_arch(images.back().manifest);
      if (app.exec && !app.exec->empty() && app.exec->front() != '/')
        app.exec = exec_in_image(*app.exec, app, images.back(), store);
    }
    manifest = build_pod_manifest(apps, images, req.pod);
    std::vector<bool> oci_apps;
    for (const auto& img : images)
      oci_apps.push_back(img.manifest.annotations.get("pod.oci/config-digest").has_value());
    image_volumes = add_image_volumes(manifest, oci_apps);
  }
  std::string stage1_id = resolve_stage1(store, req.stage1, req.sources, log);

  Pod pod = Pod::create(data_dir);
  try {
    with_context("preparing pod " + pod.uuid(), [&] {
      std::string dir = pod.path();
      // The store keeps a tree while its RenderedTree is held; once treeStoreID names it,
      // the file protects it (store.hpp), so the holds end with this scope.
      std::vector<store::RenderedTree> holds;
      holds.push_back(with_context("rendering the stage1 image",
                                   [&] { return store.render(stage1_id); }));
      const auto& s1 = holds.back();
      write_text(dir + "/" + pod_file::kStage1Manifest, read_file(s1.manifest_path()));
      write_text(dir + "/" + pod_file::kStage1TreeStoreId, s1.tree_id);
      make_dirs(dir + "/" + pod_file::kStage1Rootfs);
      make_dirs(dir + "/" + pod_file::kStage1Upper);
      make_dirs(dir + "/" + pod_file::kStage1Work);
      std::vector<std::string> tree_ids;
      for (const auto& app : manifest.apps) {
        holds.push_back(with_context("rendering image " + app.image.name + " for app " + app.name,
                                     [&] { return store.render(app.image.id); }));
        const auto& tree = holds.back();
        std::string info = app_info_dir(dir, app.name);
        write_text(info + "/manifest", read_file(tree.manifest_path()));
        write_text(info + "/treeStoreID", tree.tree_id);
        tree_ids.push_back(tree.tree_id);
        std::string ov = app_overlay_dir(dir, app.name);
        make_dirs(ov + "/upper");
        make_dirs(ov + "/work");
      }
      seed_image_volumes(manifest, image_volumes, dir, parent_dir(store.cas_dir()), tree_ids, log);
      // Written last, and atomically: a pod with a manifest is complete. Synced only for
      // `pod prepare`, whose pod must survive a crash; `pod run`'s is used at once.
      std::string manifest_path = dir + "/" + pod_file::kManifest;
      if (req.durable) {
        write_file_atomic(manifest_path, manifest.serialize());
      } else {
        write_text(manifest_path + ".tmp", manifest.serialize());
        check_sys(::rename((manifest_path + ".tmp").c_str(), manifest_path.c_str()),
                  "renaming " + manifest_path + ".tmp into place");
      }
      log.debug("prepared pod " + pod.uuid() + " in " + dir);
    });
  } catch (...) {
    try {
      pod.destroy();
    } catch (const Error& e) {
      log.warn("cleaning up the failed pod " + pod.uuid() + ": " + e.what());
    }
    throw;
  }
  return pod;
}

}  // namespace pod::pods
