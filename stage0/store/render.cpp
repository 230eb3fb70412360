// Rendering: an image's dependency chain resolved (from the store, or through the
// caller's fetcher), each layer's blob extracted and moved over the ones below,
// the top image's pathWhitelist applied, and the tree renamed into place once.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/sha512.hpp"
#include "common/strings.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/oci_tree.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tree_ops.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

namespace {

// Deeper than any real image; stops a manifest chain that never ends.
constexpr size_t kMaxDependencyDepth = 64;

std::string describe(const aci::Dependency& dep) {
  aci::ImageReference ref{dep.image_name, dep.labels};
  std::string s = aci::format_image_reference(ref);
  if (dep.image_id) s += " (" + short_id(*dep.image_id) + ")";
  return s;
}

}  // namespace

std::string Store::tree_id_of(const std::vector<std::string>& chain) {
  // Versioned, so a change in how trees are rendered never reuses an old tree.
  return std::string(kTreePrefix) + sha512_hex("pod-tree-v1\n" + join(chain, "\n"));
}

std::optional<std::string> Store::recorded_tree_id(const std::string& image_id,
                                                  const std::string& chain) const {
  auto st = db_->sql.prepare("SELECT id FROM trees WHERE image_id=?1 AND chain=?2");
  st.bind(1, image_id).bind(2, chain);
  if (!st.step()) return std::nullopt;
  std::string id = st.text(0);
  // Used as a path below the store: only a well-formed tree ID, else it is computed.
  if (!is_tree_id(id)) return std::nullopt;
  return id;
}

std::vector<std::string> Store::dependency_chain(const std::string& image_id,
                                                 const DependencyFetcher& fetch) {
  std::vector<std::string> chain;
  std::set<std::string> applied;
  std::vector<std::string> path;  // the images being visited, for cycle detection

  auto resolve_dependency = [&](const aci::Dependency& dep, const std::string& of) {
    std::optional<ImageRecord> found;
    if (dep.image_id) {
      found = find_id(*dep.image_id);
    } else {
      found = find(dep.image_name, dep.labels);
    }
    if (found) return found->id;
    if (!fetch) {
      Error e("dependency " + describe(dep) + " of image " + of + " is not in the store");
      e.set_hint("fetch it first ('pod fetch " + dep.image_name + "')");
      throw e;
    }
    std::string id = with_context("fetching dependency " + describe(dep) + " of image " + of,
                                  [&] { return fetch(dep); });
    if (dep.image_id && id != *dep.image_id)
      throw Error("dependency " + describe(dep) + " of image " + of + " was fetched as " + id +
                  ", not the image ID the manifest requires");
    return id;
  };

  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    if (std::find(path.begin(), path.end(), id) != path.end())
      throw Error("image " + id + " depends on itself (through " + join(path, " -> ") + ")");
    if (path.size() >= kMaxDependencyDepth)
      throw Error("dependencies nest deeper than " + std::to_string(kMaxDependencyDepth) +
                  " images below " + path.front());
    if (applied.count(id)) return;  // already applied lower down: once is enough
    ImageRecord rec = get(id);
    aci::ImageManifest m = rec.manifest();
    path.push_back(rec.id);
    for (const auto& dep : m.dependencies) visit(resolve_dependency(dep, rec.name));
    path.pop_back();
    chain.push_back(rec.id);
    applied.insert(rec.id);
  };
  visit(get(image_id).id);
  return chain;
}

namespace {

// Extracts the rootfs of image `id` from its blob into `dirfd`, checking the blob
// still hashes to the ID it is stored under.
void extract_layer(const Layout& layout, const std::string& id, int dirfd) {
  std::string blob_path = layout.blob(id);
  UniqueFd blob;
  try {
    blob = open_fd(blob_path, O_RDONLY);
  } catch (Error& e) {
    e.set_hint("the store lost this image's file; remove it ('pod image rm " + id +
               "') and fetch it again");
    throw;
  }
  aci::AciReadOptions ro;
  ro.extract_dirfd = dirfd;
  ro.extract.rootfs_only = true;
  aci::AciInfo info = aci::read_aci(blob.get(), blob_path, ro);
  if (info.image_id != id) {
    Error e("the blob of image " + id + " is damaged: its content hashes to " + info.image_id);
    e.set_hint("remove it ('pod image rm " + id + "') and fetch it again");
    throw e;
  }
}

// Copies the image's own files from the tree of its one-image chain (kept by its
// import) when there is one and nobody is rendering it right now; returns false when
// there is none to copy from. An image without dependencies but with a pathWhitelist
// has that tree filtered, and a whitelist does not apply to a dependency: not usable.
bool copy_layer_from_tree(const Layout& layout, const ImageRecord& img, int dst_dir) {
  aci::ImageManifest m = img.manifest();
  if (m.dependencies.empty() && !m.path_whitelist.empty()) return false;
  std::string tid = Store::tree_id_of({img.id});
  // Never waits: the caller holds its own tree's lock, and waiting here could deadlock.
  FileLock using_it = lock_file_checked(layout.tree_lock(tid), LockMode::shared, false);
  std::string rootfs = layout.tree(tid) + "/rootfs";
  if (!using_it.held() || !is_directory(rootfs)) return false;
  UniqueFd src = open_fd(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  copy_layer(src.get(), dst_dir, "rootfs");
  return true;
}

// Builds <tree>/rootfs from the chain's layers, bottom first, and <tree>/manifest from
// the top image. A layer comes from its image's rendered tree when there is one (a
// kernel copy), else from its blob (extracted into `scratch`, on the same file system,
// then moved over the layers below).
void build_tree(const Layout& layout, const std::vector<ImageRecord>& layers,
                const std::string& tree, const std::string& scratch, const Logger& log) {
  make_dirs(tree + "/rootfs", 0755);
  UniqueFd rootfs = open_fd(tree + "/rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  for (size_t i = 0; i < layers.size(); ++i) {
    const ImageRecord& img = layers[i];
    std::string which = "layer " + std::to_string(i + 1) + "/" + std::to_string(layers.size()) +
                        " " + short_id(img.id) + " (" + img.name + ")";
    if (copy_layer_from_tree(layout, img, rootfs.get())) {
      log.debug(which + ": copied from its extracted tree");
      continue;
    }
    log.debug(which + ": extracted from its blob");
    if (i == 0) {
      extract_layer(layout, img.id, rootfs.get());
      continue;
    }
    std::string layer = scratch + "/layer";
    make_dirs(layer, 0755);
    {
      UniqueFd layer_fd = open_fd(layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      extract_layer(layout, img.id, layer_fd.get());
      merge_layer(layer_fd.get(), rootfs.get(), "rootfs");
    }
    remove_tree(layer);
  }
  const ImageRecord& top = layers.back();
  apply_path_whitelist(rootfs.get(), top.manifest().path_whitelist);
  write_file_atomic(tree + "/manifest", top.manifest_text);
  // Durable before the rename publishes it: after a power cut a tree is whole or absent.
  if (::syncfs(rootfs.get()) < 0) throw_errno("syncing the file system of " + tree);
}

}  // namespace

RenderedTree Store::render(const std::string& image_id, const DependencyFetcher& fetch) {
  return with_context("rendering image " + image_id, [&] {
    if (auto oci = find_oci(get(image_id).id)) return render_oci(*oci);
    const Layout& layout = db_->layout;
    RenderedTree t;
    t.chain = dependency_chain(image_id, fetch);
    auto recorded = recorded_tree_id(t.chain.back(), join(t.chain, ","));
    t.tree_id = recorded ? *recorded : tree_id_of(t.chain);
    t.dir = layout.tree(t.tree_id);
    std::string lock_path = layout.tree_lock(t.tree_id);
    const std::string& top = t.chain.back();
    for (;;) {
      // Readers share the lock; one renderer holds it alone while it renders, and
      // the others wait here, then find the tree there.
      FileLock shared = lock_file_checked(lock_path, LockMode::shared, true);
      if (path_exists(t.dir)) {
        t.hold = std::move(shared);
        break;
      }
      shared = FileLock();
      FileLock exclusive = lock_file_checked(lock_path, LockMode::exclusive, true);
      if (path_exists(t.dir)) continue;
      log_.debug("rendering tree " + t.tree_id + " of " + top + " from " +
                 std::to_string(t.chain.size()) + " image(s)");
      Workspace ws = make_workspace(layout, "render-");
      std::string tree = ws.path() + "/tree";
      std::vector<ImageRecord> layers;
      for (const auto& id : t.chain) layers.push_back(get(id));
      build_tree(layout, layers, tree, ws.path(), log_);
      if (::rename(tree.c_str(), t.dir.c_str()) < 0)
        throw_errno("moving the rendered tree into place at " + t.dir);
      sync_dir(layout.trees());
    }
    // A tree the index records already needs no row (and no write transaction).
    if (!recorded)
      db_->sql
          .prepare(
              "INSERT OR IGNORE INTO trees(id, image_id, chain, rendered_time) "
              "VALUES(?1,?2,?3,?4)")
          .bind(1, t.tree_id)
          .bind(2, top)
          .bind(3, join(t.chain, ","))
          .bind(4, unix_now())
          .run();
    for (const auto& id : t.chain) touch(id);
    return t;
  });
}

std::vector<std::string> Store::render_to(const std::string& image_id, const std::string& dir,
                                          const DependencyFetcher& fetch) {
  return with_context("rendering image " + image_id + " into " + dir, [&] {
    std::vector<std::string> chain = dependency_chain(image_id, fetch);
    if (path_exists(dir)) throw Error(dir + " already exists", EEXIST);
    auto oci = find_oci(chain.back());
    std::string parent =
        dir.find('/') == std::string::npos ? "." : dir.substr(0, dir.find_last_of('/'));
    if (parent.empty()) parent = "/";
    // Built beside the target, so the last step is one rename.
    TempPath scratch = make_temp_dir(parent, ".pod-render-");
    std::string tree = scratch.path() + "/tree";
    if (oci) {
      // The layers stacked once into a plain tree, whiteouts applied.
      RenderedTree t = render_oci(*oci);
      flatten_layers(tree_lower(data_dir_, t.tree_id), tree + "/rootfs");
      write_file_atomic(tree + "/manifest", get(chain.back()).manifest_text);
    } else {
      std::vector<ImageRecord> layers;
      for (const auto& id : chain) layers.push_back(get(id));
      build_tree(db_->layout, layers, tree, scratch.path(), log_);
    }
    if (::rename(tree.c_str(), dir.c_str()) < 0) throw_errno("moving the rendered tree to " + dir);
    for (const auto& id : chain) touch(id);
    return chain;
  });
}

}  // namespace pod::store
