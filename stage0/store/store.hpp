// The image store (DESIGN.md "Image store"): imported ACIs as content-addressed
// blobs, an SQLite index of them and of remote fetches, and rendered trees
// (an image with its dependencies applied) that pods use as their rootfs.
//
// On disk, under <data_dir>/cas/:
//   blob/sha512/<2 hex>/<128 hex>   the ACI bytes exactly as imported
//   tree/<tree-id>/{manifest,rootfs} rendered trees, complete once they exist
//   tmp/                             work in progress (each entry flock'ed by its owner)
//   lock/                            per-tree lock files, the store mutation lock
//   db                               SQLite index (WAL, busy timeout)
//
// Every method may be called by many processes at once; nothing half-written is
// ever visible: blobs and trees are renamed into place when complete and the
// index row is written after that.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/flock.hpp"
#include "common/log.hpp"

namespace pod::store {

struct ImageRecord {
  std::string id;  // "sha512-<128 hex>"
  std::string name;
  aci::Labels labels;
  uint64_t size = 0;               // bytes of the blob (the ACI as imported)
  uint64_t uncompressed_size = 0;  // bytes of the uncompressed tar
  int64_t import_time = 0;         // unix seconds
  int64_t last_used = 0;           // unix seconds (import, render, or touch())
  std::string manifest_text;       // the image manifest exactly as in the ACI
  // Parses manifest_text (validated at import, so this does not normally throw).
  [[nodiscard]] aci::ImageManifest manifest() const;
};

struct RemoteRecord {
  std::string url;            // as fetched (for local files: "file://" + absolute path)
  std::string image_id;       // what it imported as
  std::string etag;           // HTTP ETag; for files a fingerprint of the file (see import_file)
  int64_t max_age = 0;        // seconds, from Cache-Control
  int64_t download_time = 0;  // unix seconds
};

struct ImportOptions {
  // Called now and then with the number of input bytes consumed so far.
  std::function<void(uint64_t bytes_read)> progress;
  // Extract while importing and keep the result as the tree of the one-image chain:
  // for an image without dependencies that is its rendered tree (no second read of
  // the blob when a pod uses it); for one with dependencies it is its own layer, which
  // renders of its chain copy instead of extracting the blob again.
  bool render = true;
  // Refuse archives whose uncompressed content is larger than this (0: no limit).
  uint64_t max_uncompressed_size = 0;
};

// Called by render() for a dependency the store does not hold; returns the
// image ID it imported (e.g. the fetch code fetching it), or throws.
using DependencyFetcher = std::function<std::string(const aci::Dependency&)>;

// A rendered tree, with a shared lock on it that keeps `pod image gc` and
// `pod image rm` from removing it while held (keep it until the pod's
// treeStoreID file names the tree; after that the file protects it).
struct RenderedTree {
  std::string tree_id;             // "deps-sha512-<128 hex>", the name of the directory
  std::string dir;                 // <data_dir>/cas/tree/<tree_id>, holding manifest and rootfs/
  std::vector<std::string> chain;  // image IDs applied, bottom first, the image last
  FileLock hold;
  [[nodiscard]] std::string rootfs() const { return dir + "/rootfs"; }
  [[nodiscard]] std::string manifest_path() const { return dir + "/manifest"; }
};

struct GcOptions {
  int64_t grace_period_seconds = 24 * 3600;  // images unused for longer are removed
  // Tree IDs pods still use (from pods/*/*/appsinfo/*/treeStoreID and
  // pods/*/*/stage1TreeStoreID); gc_trees() collects them when not given.
  std::optional<std::vector<std::string>> trees_in_use;
  bool dry_run = false;
};

struct GcResult {
  std::vector<std::string> removed_images;
  std::vector<std::string> removed_trees;
  std::vector<std::string> kept_trees;  // in use (by a pod or a held RenderedTree)
  std::vector<std::string> removed_layers;  // OCI layers (diff_ids) no image or tree uses
  uint64_t bytes_freed = 0;
};

struct TreeRecord {
  std::string tree_id;
  std::string image_id;  // the top image
  int64_t rendered_time = 0;
};

// OCI images (oci_*.cpp). Each layer is a store entry of its own, keyed by its
// uncompressed digest (diff_id) and extracted once under cas/layer/sha256/<hex>/rootfs
// with whiteouts in overlayfs form; images sharing a layer share the entry. An OCI image
// is an images row like an ACI's: its ID is "sha512-" + SHA-512 of its config (so pod
// manifests and every ID-taking command work unchanged), its blob is the config, and its
// manifest is the appc-equivalent manifest that pods run.
struct OciLayerInput {
  std::string digest;   // "sha256:..." of the blob as stored remotely (compressed)
  uint64_t size = 0;    // its size in bytes
  std::string diff_id;  // "sha256:..." of the uncompressed tar, from the config
};

struct OciImageInput {
  std::string name;             // Docker-style "localhost:5000/team/app" (the row's name)
  std::string tag;              // the "version" label (may be empty)
  std::string reference;        // as given ("docker://...", "oci:DIR:REF"), for messages
  std::string manifest_digest;  // "sha256:..." of manifest_text
  std::string manifest_text;    // the OCI/Docker manifest as fetched
  std::string config_text;      // the image configuration as fetched (digest checked)
  std::vector<OciLayerInput> layers;  // bottom first, each already imported
};

struct OciImageRecord {
  std::string id;
  std::string manifest_digest;
  std::string config_digest;
  std::vector<std::string> diff_ids;  // bottom first
  std::string reference;
};

class Store {
 public:
  // Opens (creating when missing) <data_dir>/cas and its index; upgrades the schema.
  [[nodiscard]] static Store open(const std::string& data_dir, const Logger& log);
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  [[nodiscard]] const std::string& cas_dir() const noexcept { return cas_dir_; }

  // Imports an ACI from fd in one streaming pass (decompress once, hash, store
  // the raw bytes, validate the manifest, extract when opts.render). Atomic.
  // Returns the image ID. Re-importing a known image keeps the stored blob.
  [[nodiscard]] std::string import(int fd, const std::string& source_name,
                                   const ImportOptions& opts = {});
  // Imports a local file. A file already imported unchanged (same path, device,
  // inode, size and mtime, and the image still stored) returns its ID without
  // reading it again.
  [[nodiscard]] std::string import_file(const std::string& path, const ImportOptions& opts = {});

  // By full ID or unique prefix ("sha512-" followed by at least one hex digit).
  // Throws naming the ID when none or several match.
  [[nodiscard]] ImageRecord get(const std::string& id_or_prefix) const;
  [[nodiscard]] std::optional<ImageRecord> find_id(const std::string& full_id) const;
  // The newest import with this name carrying all these labels.
  [[nodiscard]] std::optional<ImageRecord> find(const std::string& name,
                                                const aci::Labels& labels) const;
  // An ID (prefix), or "name[:version][,label=value...]". Throws naming the ref.
  [[nodiscard]] ImageRecord resolve(const std::string& ref) const;
  [[nodiscard]] std::vector<ImageRecord> list() const;

  // Image IDs to apply, bottom first: each dependency's own dependencies before it
  // (an image met twice is applied once, where first met), the image last.
  [[nodiscard]] std::vector<std::string> dependency_chain(const std::string& image_id,
                                                          const DependencyFetcher& fetch = {});
  [[nodiscard]] static std::string tree_id_of(const std::vector<std::string>& chain);
  // Renders the image with its dependencies (once; concurrent callers wait and
  // reuse it), honouring the top image's pathWhitelist. Each layer is copied from its
  // image's one-image tree when there is one, else extracted from its blob. Touches
  // the images of the chain.
  [[nodiscard]] RenderedTree render(const std::string& image_id,
                                    const DependencyFetcher& fetch = {});
  // Renders like render() into `dir` instead of the store (for `pod image render`):
  // `dir` must not exist, its parent must. Writes dir/manifest and dir/rootfs.
  // Returns the chain applied.
  std::vector<std::string> render_to(const std::string& image_id, const std::string& dir,
                                     const DependencyFetcher& fetch = {});
  [[nodiscard]] std::vector<TreeRecord> list_trees() const;
  [[nodiscard]] std::string tree_path(const std::string& tree_id) const;

  // Removes the image, its blob, its remote records and the trees rendered from it
  // that nobody holds. Throws naming the ID when not stored.
  void remove(const std::string& full_id);
  // Marks the image used now (pods call this when they use an image).
  void touch(const std::string& full_id);

  [[nodiscard]] std::optional<RemoteRecord> get_remote(const std::string& url) const;
  void set_remote(const RemoteRecord& rec);

  [[nodiscard]] std::string blob_path(const std::string& full_id) const;

  // OCI layers and images (oci_layer_import.cpp, oci_image.cpp).
  [[nodiscard]] bool has_layer(const std::string& diff_id) const;
  // Imports a layer blob read from fd in one pass: the bytes read must hash to
  // layer.digest and count layer.size, the uncompressed tar must hash to layer.diff_id,
  // and it is extracted with the ACI extraction rules (no "..", nothing through a
  // symlink, sizes bounded). Atomic: on any mismatch nothing is stored. A layer already
  // stored is not read again. Callers hold hold_layers() until add_oci_image().
  void import_layer(int fd, const OciLayerInput& layer, const ImportOptions& opts = {});
  // Records an OCI image whose layers are all stored; returns its image ID.
  [[nodiscard]] std::string add_oci_image(const OciImageInput& image);
  [[nodiscard]] std::optional<OciImageRecord> find_oci(const std::string& full_id) const;
  // The newest stored image a docker://, oci: or docker-archive: reference names, as its
  // fetch stored it (by name and tag, or by manifest digest).
  [[nodiscard]] std::optional<ImageRecord> find_oci_reference(const std::string& text) const;
  // A shared hold on the layer store: gc frees no layer while any is held (an import
  // holds one from its first layer until its image row is written).
  [[nodiscard]] FileLock hold_layers() const;
  // <cas>/layer/sha256/<hex>/rootfs of a stored layer.
  [[nodiscard]] std::string layer_rootfs(const std::string& diff_id) const;
  // Writes an OCI image as an ACI (its layers flattened, its appc-equivalent manifest) to
  // `out` atomically, for pipelines that sign ACIs and rkt-era tools. Returns its ACI ID.
  std::string export_oci_as_aci(const std::string& full_id, const std::string& out, bool overwrite);
  // Re-checks a stored OCI image: its configuration hashes to its ID, every layer is
  // there. Returns a one-line summary; throws naming what is wrong.
  [[nodiscard]] std::string check_oci(const std::string& full_id);

  // Removes trees no pod uses, then images unused for the grace period; and
  // leftovers of interrupted commands (temp files, blobs without an index row).
  [[nodiscard]] GcResult gc(const GcOptions& opts);
  // Removes temp entries whose owner is gone (called lazily by imports and gc).
  void clean_stale_temps();

 private:
  struct Db;
  Store(std::string data_dir, std::string cas_dir, std::unique_ptr<Db> db, Logger log);

  [[nodiscard]] RenderedTree render_oci(const OciImageRecord& image);
  // The ID the index recorded for the tree of this image and chain when it was rendered,
  // so that a start of a stored image hashes nothing (libcrypto stays unloaded).
  [[nodiscard]] std::optional<std::string> recorded_tree_id(const std::string& image_id,
                                                            const std::string& chain) const;
  void gc_layers(GcResult& result, bool dry_run);

  std::string data_dir_;
  std::string cas_dir_;
  std::unique_ptr<Db> db_;
  Logger log_;
};

// "sha512-" + 32 hex digits, as listings show IDs without --full.
[[nodiscard]] std::string short_id(const std::string& id);

// Tree IDs named by the pods under <data_dir>/pods (appsinfo/*/treeStoreID, stage1TreeStoreID).
[[nodiscard]] std::vector<std::string> trees_used_by_pods(const std::string& data_dir);

}  // namespace pod::store
