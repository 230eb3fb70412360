// OCI images in the store: the images row (ID = SHA-512 of the config, blob = the config,
// manifest = the appc-equivalent manifest), the oci_images row with the layer list, the
// tree a pod mounts (links to the shared layers), and gc of layers nothing uses.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/sha512.hpp"
#include "common/strings.hpp"
#include "common/temp_path.hpp"
#include "oci/config.hpp"
#include "oci/digest.hpp"
#include "oci/reference.hpp"
#include "oci/whiteout.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/oci_app.hpp"
#include "stage0/store/oci_tree.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tree_ops.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

namespace {

constexpr const char* kLinksDir = "l";
constexpr const char* kTopDir = "top";
constexpr const char* kLowerFile = "lowerdir";

std::vector<std::string> layer_dirs_top_first(const Layout& layout,
                                              const std::vector<std::string>& diff_ids) {
  std::vector<std::string> out;
  for (auto it = diff_ids.rbegin(); it != diff_ids.rend(); ++it)
    out.push_back(layout.layer(*it) + "/rootfs");
  return out;
}

bool is_whiteout_at(int dirfd, const char* name) {
  struct stat st;
  return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
         st.st_rdev == makedev(0, 0);
}

// Before a layer is copied over `dst`: what its opaque directories hide and its whiteouts
// delete goes from `dst`. Walks `src` only.
void apply_layer_deletions(int src, int dst, const std::string& shown) {
  for (const auto& name : list_dir_at(src, shown)) {
    struct stat st;
    if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("inspecting " + shown + "/" + name);
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      remove_tree_at(dst, name);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) continue;
    struct stat dst_st;
    if (::fstatat(dst, name.c_str(), &dst_st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(dst_st.st_mode))
      continue;  // nothing below to hide or delete (copy_layer replaces a non-directory)
    UniqueFd s = openat_fd(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    char v[2] = {};
    if (::fgetxattr(s.get(), oci::kOverlayOpaqueXattr, v, sizeof v) == 1 && v[0] == 'y') {
      remove_tree_at(dst, name);
      continue;  // copy_layer brings the directory back with this layer's content only
    }
    UniqueFd d = openat_fd(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    apply_layer_deletions(s.get(), d.get(), shown + "/" + name);
  }
}

// After all layers: whiteouts left in the result mark deleted files, and the opaque
// attribute means nothing outside overlayfs.
void strip_overlay_marks(int dir, const std::string& shown) {
  (void)::fremovexattr(dir, oci::kOverlayOpaqueXattr);
  for (const auto& name : list_dir_at(dir, shown)) {
    if (is_whiteout_at(dir, name.c_str())) {
      if (::unlinkat(dir, name.c_str(), 0) < 0) throw_errno("removing whiteout " + shown + "/" + name);
      continue;
    }
    struct stat st;
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      UniqueFd d = openat_fd(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      strip_overlay_marks(d.get(), shown + "/" + name);
    }
  }
}

std::string oci_tree_id(const std::string& image_id) {
  return std::string(kTreePrefix) + sha512_hex("pod-oci-tree-v1\n" + image_id);
}

}  // namespace

TreeLower tree_lower(const std::string& data_dir, const std::string& tree_id) {
  Layout layout{path_join(data_dir, "cas")};
  std::string dir = layout.tree(tree_id);
  std::string lower_file = dir + "/" + kLowerFile;
  if (!path_exists(lower_file)) return {"", dir + "/rootfs", false};
  return {dir, std::string(trim(read_file(lower_file))), true};
}

void flatten_layers(const TreeLower& lower, const std::string& target) {
  with_context("flattening the layers of " + lower.base + " into " + target, [&] {
    make_dirs(target);
    UniqueFd dst = open_fd(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    std::vector<std::string> dirs = split(lower.lowerdir, ':');
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
      std::string src_path = lower.base.empty() ? *it : lower.base + "/" + *it;
      UniqueFd src = open_fd(src_path, O_RDONLY | O_DIRECTORY);  // l/N are links: followed
      apply_layer_deletions(src.get(), dst.get(), src_path);
      copy_layer(src.get(), dst.get(), target);
    }
    strip_overlay_marks(dst.get(), target);
  });
}

namespace {

bool is_opaque_dir(const std::string& dir) {
  char v[2] = {};
  return ::lgetxattr(dir.c_str(), oci::kOverlayOpaqueXattr, v, sizeof v) == 1 && v[0] == 'y';
}

void clear_dir(int dir, const std::string& shown) {
  for (const auto& name : list_dir_at(dir, shown)) remove_tree_at(dir, name);
}

}  // namespace

bool copy_layers_at(const TreeLower& lower, const std::string& path, const std::string& target) {
  return with_context("copying the image's " + path + " into " + target, [&] {
    std::vector<std::string> top_first;
    for (const auto& l : split(lower.lowerdir, ':'))
      top_first.push_back(lower.base.empty() ? std::string(l) : lower.base + "/" + std::string(l));
    LayerUnion fs(top_first);
    auto rel = fs.resolve(path);
    if (!rel || rel->empty()) return false;  // absent, or the image's root itself
    auto top = fs.find("/" + *rel, false);
    struct stat top_st;
    if (!top || ::lstat(top->c_str(), &top_st) < 0 || !S_ISDIR(top_st.st_mode)) return false;
    if (::mkdir(target.c_str(), 0700) < 0) throw_errno("creating " + target);
    UniqueFd dst = open_fd(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    std::vector<std::string> parts = split(*rel, '/');
    for (auto it = top_first.rbegin(); it != top_first.rend(); ++it) {
      // What this layer does on the way to `rel`: a whiteout, a non-directory or an
      // opaque directory hides everything the layers below put there.
      std::string dir = *it;
      bool hides = false;
      bool reaches = true;
      for (const auto& c : parts) {
        dir += "/" + c;
        struct stat st;
        if (::lstat(dir.c_str(), &st) < 0) {
          reaches = false;
          break;
        }
        if (!S_ISDIR(st.st_mode)) {  // a whiteout (0/0 device), file or symlink
          hides = true;
          reaches = false;
          break;
        }
        hides = hides || is_opaque_dir(dir);
      }
      if (hides) clear_dir(dst.get(), target);
      if (!reaches) continue;
      UniqueFd src = open_fd(dir, O_RDONLY | O_DIRECTORY);
      apply_layer_deletions(src.get(), dst.get(), dir);
      copy_layer(src.get(), dst.get(), target);
    }
    strip_overlay_marks(dst.get(), target);
    check_sys(::fchown(dst.get(), top_st.st_uid, top_st.st_gid), "setting the owner of " + target);
    check_sys(::fchmod(dst.get(), top_st.st_mode & 07777), "setting the mode of " + target);
    return true;
  });
}

void mask_in_upper(const TreeLower& lower, const std::string& path, const std::string& upper) {
  with_context("hiding the image's " + path + " in " + upper, [&] {
    std::vector<std::string> top_first;
    for (const auto& l : split(lower.lowerdir, ':'))
      top_first.push_back(lower.base.empty() ? std::string(l) : lower.base + "/" + std::string(l));
    LayerUnion fs(top_first);
    auto rel = fs.resolve(path);
    if (!rel || rel->empty()) return;
    std::vector<std::string> parts = split(*rel, '/');
    std::string image_path;
    std::string dir = upper;
    for (size_t i = 0; i < parts.size(); ++i) {
      image_path += "/" + parts[i];
      dir += "/" + parts[i];
      auto host = fs.find(image_path, false);
      struct stat st;
      if (!host || ::lstat(host->c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return;
      bool last = i + 1 == parts.size();
      if (::mkdir(dir.c_str(), 0700) < 0) {
        if (errno != EEXIST) throw_errno("creating " + dir);
        if (!last) continue;  // made for another volume already
      }
      check_sys(::lchown(dir.c_str(), st.st_uid, st.st_gid), "setting the owner of " + dir);
      check_sys(::chmod(dir.c_str(), st.st_mode & 07777), "setting the mode of " + dir);
      if (last) {
        check_sys(::lsetxattr(dir.c_str(), oci::kOverlayOpaqueXattr, "y", 1, 0),
                  "marking " + dir + " opaque");
      } else {
        struct timespec times[2] = {st.st_atim, st.st_mtim};
        check_sys(::utimensat(AT_FDCWD, dir.c_str(), times, AT_SYMLINK_NOFOLLOW),
                  "setting the times of " + dir);
      }
    }
  });
}

std::optional<OciImageRecord> Store::find_oci(const std::string& full_id) const {
  auto st = db_->sql.prepare(
      "SELECT id, manifest_digest, config_digest, layers, reference FROM oci_images WHERE id=?1");
  st.bind(1, full_id);
  if (!st.step()) return std::nullopt;
  OciImageRecord r;
  r.id = st.text(0);
  r.manifest_digest = st.text(1);
  r.config_digest = st.text(2);
  for (auto& d : split(st.text(3), ','))
    if (!d.empty()) r.diff_ids.push_back(d);
  r.reference = st.text(4);
  return r;
}

std::optional<ImageRecord> Store::find_oci_reference(const std::string& text) const {
  oci::Reference ref = oci::parse_reference(text);
  auto by_name = [&](const std::string& name, const std::string& tag) {
    aci::Labels want;
    if (!tag.empty()) want.set("version", tag);
    return find(name, want);
  };
  if (ref.has_name && ref.docker.digest.empty()) return by_name(ref.docker.name(), ref.docker.tag);
  if (ref.transport == oci::Transport::oci_layout) {
    std::string dir = ref.path;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return by_name(dir.substr(dir.find_last_of('/') + 1), ref.ref.empty() ? "latest" : ref.ref);
  }
  // By digest (of the platform's manifest or of the reference fetched), or as given.
  auto st = db_->sql.prepare(
      "SELECT id FROM oci_images WHERE manifest_digest=?1 OR reference=?2 OR reference LIKE ?3 "
      "ORDER BY rowid DESC");
  st.bind(1, ref.docker.digest.empty() ? std::string("-") : ref.docker.digest);
  st.bind(2, text);
  st.bind(3, ref.docker.digest.empty() ? std::string("-") : "%@" + ref.docker.digest);
  while (st.step())
    if (auto rec = find_id(st.text(0))) return rec;
  return std::nullopt;
}

std::string Store::add_oci_image(const OciImageInput& in) {
  return with_context("storing image " + in.reference, [&] {
    const Layout& layout = db_->layout;
    oci::ImageConfig config = oci::parse_config(in.config_text, in.reference);
    if (config.diff_ids.size() != in.layers.size())
      throw Error("the configuration lists " + std::to_string(config.diff_ids.size()) +
                  " layers but the manifest " + std::to_string(in.layers.size()));
    uint64_t size = in.config_text.size();
    uint64_t plain = 0;
    for (size_t i = 0; i < in.layers.size(); ++i) {
      if (in.layers[i].diff_id != config.diff_ids[i])
        throw Error("layer " + std::to_string(i + 1) + " is " + in.layers[i].diff_id +
                    " but the configuration says " + config.diff_ids[i]);
      if (!has_layer(config.diff_ids[i])) throw Error("layer " + config.diff_ids[i] + " is not stored");
      size += in.layers[i].size;
      auto st = db_->sql.prepare("SELECT uncompressed_size FROM oci_layers WHERE diff_id=?1");
      st.bind(1, config.diff_ids[i]);
      if (st.step()) plain += static_cast<uint64_t>(st.integer(0));
    }
    OciAppInput app_in;
    app_in.appc_name = oci::appc_name_for(in.name);
    app_in.tag = in.tag;
    app_in.reference = in.reference;
    app_in.config_digest = oci::sha256_digest(in.config_text);
    app_in.manifest_digest = in.manifest_digest;
    LayerUnion fs(layer_dirs_top_first(layout, config.diff_ids));
    aci::ImageManifest appc = appc_manifest_for(config, app_in, fs, log_);
    std::string manifest_text = appc.serialize();
    // A last check that what pods will read back parses.
    (void)with_context("the appc-equivalent manifest", [&] { return aci::ImageManifest::parse(manifest_text); });

    std::string id = std::string(kIdPrefix) + sha512_hex(in.config_text);
    std::string blob = layout.blob(id);
    make_dirs(parent_dir(blob), 0700);
    if (!path_exists(blob)) {
      Workspace ws = make_workspace(layout, "config-");
      write_file_atomic(ws.path() + "/config", in.config_text, 0644);
      if (::rename((ws.path() + "/config").c_str(), blob.c_str()) < 0)
        throw_errno("moving the configuration into place at " + blob);
      sync_dir(parent_dir(blob));
    }
    FileLock mutating = FileLock::acquire(layout.store_lock(), LockMode::exclusive, true);
    Transaction tx(db_->sql);
    int64_t now = unix_now();
    aci::Labels labels;
    if (!in.tag.empty()) labels.set("version", in.tag);
    for (const auto& l : appc.labels)
      if (l.name != "version") labels.set(l.name, l.value);
    db_->sql
        .prepare(
            "INSERT INTO images(id, name, labels, size, uncompressed_size, import_time, "
            "last_used, manifest) VALUES(?1,?2,?3,?4,?5,?6,?6,?7) "
            "ON CONFLICT(id) DO UPDATE SET last_used=excluded.last_used, name=excluded.name, "
            "labels=excluded.labels, import_time=excluded.import_time")
        .bind(1, id)
        .bind(2, in.name)
        .bind(3, labels_to_json(labels))
        .bind(4, static_cast<int64_t>(size))
        .bind(5, static_cast<int64_t>(plain))
        .bind(6, now)
        .bind(7, manifest_text)
        .run();
    db_->sql
        .prepare(
            "INSERT INTO oci_images(id, manifest_digest, config_digest, layers, manifest, "
            "reference) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(id) DO UPDATE SET "
            "manifest_digest=excluded.manifest_digest, manifest=excluded.manifest, "
            "reference=excluded.reference")
        .bind(1, id)
        .bind(2, in.manifest_digest)
        .bind(3, app_in.config_digest)
        .bind(4, join(config.diff_ids, ","))
        .bind(5, in.manifest_text)
        .bind(6, in.reference)
        .run();
    tx.commit();
    log_.debug("stored OCI image " + id + " (" + in.name + ", " +
               std::to_string(config.diff_ids.size()) + " layers)");
    return id;
  });
}

RenderedTree Store::render_oci(const OciImageRecord& img) {
  return with_context("preparing the layers of image " + img.id, [&] {
    const Layout& layout = db_->layout;
    RenderedTree t;
    t.chain = {img.id};
    auto recorded = recorded_tree_id(img.id, img.id);
    t.tree_id = recorded ? *recorded : oci_tree_id(img.id);
    t.dir = layout.tree(t.tree_id);
    std::string lock_path = layout.tree_lock(t.tree_id);
    for (;;) {
      FileLock shared = lock_file_checked(lock_path, LockMode::shared, true);
      if (path_exists(t.dir)) {
        t.hold = std::move(shared);
        break;
      }
      shared = FileLock();
      FileLock exclusive = lock_file_checked(lock_path, LockMode::exclusive, true);
      if (path_exists(t.dir)) continue;
      ImageRecord rec = get(img.id);
      Workspace ws = make_workspace(layout, "render-");
      std::string tree = ws.path() + "/tree";
      make_dirs(tree + "/" + kLinksDir, 0755);
      make_dirs(tree + "/" + kTopDir, 0755);
      std::vector<std::string> lower = {kTopDir};
      size_t n = 0;
      for (auto it = img.diff_ids.rbegin(); it != img.diff_ids.rend(); ++it, ++n) {
        if (!has_layer(*it)) {
          Error e("layer " + *it + " of image " + img.id + " is missing from the store");
          e.set_hint("remove the image ('pod image rm " + img.id + "') and fetch it again");
          throw e;
        }
        std::string link = std::string(kLinksDir) + "/" + std::to_string(n);
        std::string target = "../../../layer/sha256/" + it->substr(7) + "/rootfs";
        if (::symlink(target.c_str(), (tree + "/" + link).c_str()) < 0)
          throw_errno("linking layer " + *it + " into " + tree);
        lower.push_back(link);
      }
      // What the runtime creates where the image lacks it: WorkingDir and volume mount
      // points, in the tree's own top layer (the shared layers are never written).
      LayerUnion fs(layer_dirs_top_first(layout, img.diff_ids));
      aci::ImageManifest m = rec.manifest();
      if (m.app) {
        std::vector<std::string> wanted;
        if (!m.app->working_directory.empty()) wanted.push_back(m.app->working_directory);
        for (const auto& mp : m.app->mount_points) wanted.push_back(mp.path);
        for (const auto& w : wanted)
          if (!fs.find(w, true)) make_dirs(tree + "/" + kTopDir + w, 0755);
      }
      write_file_atomic(tree + "/manifest", rec.manifest_text);
      write_file_atomic(tree + "/" + kLowerFile, join(lower, ":"));
      if (::rename(tree.c_str(), t.dir.c_str()) < 0)
        throw_errno("moving the tree into place at " + t.dir);
      sync_dir(layout.trees());
    }
    if (!recorded)  // else the index has the row already: no write transaction
      db_->sql
          .prepare("INSERT OR IGNORE INTO trees(id, image_id, chain, rendered_time) VALUES(?1,?2,?3,?4)")
          .bind(1, t.tree_id)
          .bind(2, img.id)
          .bind(3, img.id)
          .bind(4, unix_now())
          .run();
    touch(img.id);
    return t;
  });
}

std::string Store::export_oci_as_aci(const std::string& full_id, const std::string& out,
                                     bool overwrite) {
  return with_context("exporting OCI image " + full_id + " as an ACI", [&] {
    std::string parent = parent_dir(out);
    // Rendered beside the output, so the archive is written from the same file system.
    TempPath scratch = make_temp_dir(parent, ".pod-export-");
    std::string tree = scratch.path() + "/tree";
    (void)render_to(full_id, tree);
    aci::WriteOptions wo;
    wo.compression = aci::Compression::gzip;
    wo.overwrite = overwrite;
    return aci::write_aci(tree, out, wo).image_id;
  });
}

std::string Store::check_oci(const std::string& full_id) {
  auto img = find_oci(full_id);
  if (!img) throw Error("image " + full_id + " is not an OCI image");
  std::string blob = db_->layout.blob(full_id);
  std::string got = std::string(kIdPrefix) + sha512_file_hex(blob);
  if (got != full_id)
    throw Error("its configuration " + blob + " hashes to " + got + ", not to its ID", 0,
                "the store is corrupted: remove the image (pod image rm) and fetch it again");
  for (const auto& d : img->diff_ids)
    if (!has_layer(d))
      throw Error("layer " + d + " is missing from the store", 0,
                  "remove the image (pod image rm) and fetch it again");
  return "OCI image " + img->reference + ", manifest " + img->manifest_digest + ", " +
         std::to_string(img->diff_ids.size()) + " layer(s) present";
}

void Store::gc_layers(GcResult& result, bool dry_run) {
  const Layout& layout = db_->layout;
  if (!is_directory(layout.layers())) return;
  // An import between its first layer and its image row holds the layers shared: skip
  // this round rather than free a layer it is about to use.
  FileLock sweeping = FileLock::try_acquire(layout.layers_lock(), LockMode::exclusive, true);
  if (!sweeping.held()) {
    log_.debug("not collecting layers: an import is under way");
    return;
  }
  std::set<std::string> used;  // hex digests
  auto st = db_->sql.prepare("SELECT layers FROM oci_images WHERE id IN (SELECT id FROM images)");
  while (st.step())
    for (const auto& d : split(st.text(0), ','))
      if (d.size() > 7) used.insert(d.substr(7));
  for (const auto& t : list_dir(layout.trees())) {
    std::string links = layout.trees() + "/" + t + "/" + kLinksDir;
    if (!is_directory(links)) continue;
    for (const auto& l : list_dir(links)) {
      char buf[512];
      ssize_t n = ::readlink((links + "/" + l).c_str(), buf, sizeof buf - 1);
      if (n <= 0) continue;
      auto parts = split(std::string(buf, static_cast<size_t>(n)), '/');
      if (parts.size() >= 2) used.insert(parts[parts.size() - 2]);
    }
  }
  for (const auto& hex : list_dir(layout.layers())) {
    if (used.count(hex)) continue;
    std::string diff_id = "sha256:" + hex;
    std::string dir = layout.layers() + "/" + hex;
    result.removed_layers.push_back(diff_id);
    uint64_t bytes = disk_usage(dir);
    result.bytes_freed += bytes;
    if (dry_run) continue;
    db_->sql.prepare("DELETE FROM oci_layers WHERE diff_id=?1").bind(1, diff_id).run();
    Workspace doomed = make_workspace(layout, "rm-");
    if (::rename(dir.c_str(), (doomed.path() + "/layer").c_str()) < 0)
      throw_errno("moving " + dir + " out of the way");
    log_.debug("removed layer " + diff_id + " (" + human_size(bytes) + "): no image uses it");
  }
  if (!dry_run) db_->sql.exec("DELETE FROM oci_images WHERE id NOT IN (SELECT id FROM images)");
}

}  // namespace pod::store
