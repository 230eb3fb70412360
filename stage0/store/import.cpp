// Import: one streaming pass over the ACI (decompress once, hash, keep the raw
// bytes as the blob, extract the tree), then two short commits: the blob renamed
// into place and its index row written under the store lock, and the tree
// renamed into place under its own lock.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tree_ops.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

namespace {

std::string parent_of(const std::string& path) { return path.substr(0, path.find_last_of('/')); }

// Makes what was written under `fd`'s file system durable before a rename
// publishes it: after a power cut a published tree is whole, never half there.
void sync_filesystem(int fd, const std::string& what) {
  if (::syncfs(fd) < 0) throw_errno("syncing the file system of " + what);
}

// A file's identity and version: when it matches, the file was imported unchanged.
std::string file_fingerprint(const struct stat& st) {
  return "file:" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ctim.tv_sec) + "." +
         std::to_string(st.st_ctim.tv_nsec);
}

}  // namespace

std::string Store::import(int fd, const std::string& source_name, const ImportOptions& opts) {
  try {
  return with_context("importing " + source_name, [&] {
    const Layout& layout = db_->layout;
    try {
      (void)clean_stale_workspaces(layout);
    } catch (const Error& e) {
      log_.debug(std::string("cleaning leftovers in the store: ") +
                 e.what());  // not this import's problem
    }
    Workspace ws = make_workspace(layout, "import-");
    std::string blob_tmp = ws.path() + "/blob";
    std::string tree_tmp = ws.path() + "/tree";
    UniqueFd blob = open_fd(blob_tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    UniqueFd tree;
    if (opts.render) {
      make_dirs(tree_tmp, 0755);
      tree = open_fd(tree_tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    }

    aci::AciReadOptions ro;
    ro.extract_dirfd = tree.valid() ? tree.get() : -1;
    ro.extract.max_uncompressed_size = opts.max_uncompressed_size;
    ro.raw_sink = [&](const void* data, size_t size) {
      write_all(blob.get(), std::string_view(static_cast<const char*>(data), size), blob_tmp);
    };
    ro.progress = opts.progress;
    aci::AciInfo info = aci::read_aci(fd, source_name, ro);
    if (::fsync(blob.get()) < 0) throw_errno("syncing " + blob_tmp);
    struct stat blob_st;
    if (::fstat(blob.get(), &blob_st) < 0) throw_errno("inspecting " + blob_tmp);
    blob.reset();

    const std::string& id = info.image_id;
    std::string final_blob = layout.blob(id);
    make_dirs(parent_of(final_blob), 0700);
    {
      FileLock mutating = FileLock::acquire(layout.store_lock(), LockMode::exclusive, true);
      // A known image keeps its blob, so an export stays what was first imported.
      bool known = find_id(id).has_value() && path_exists(final_blob);
      if (!known) {
        if (::rename(blob_tmp.c_str(), final_blob.c_str()) < 0)
          throw_errno("moving the blob into place at " + final_blob);
        sync_dir(parent_of(final_blob));
      }
      int64_t now = unix_now();
      // The row goes in after the blob is in place: a listed image always has its blob.
      db_->sql
          .prepare(
              "INSERT INTO images(id, name, labels, size, uncompressed_size, import_time, "
              "last_used, manifest) VALUES(?1,?2,?3,?4,?5,?6,?6,?7) "
              "ON CONFLICT(id) DO UPDATE SET last_used=excluded.last_used")
          .bind(1, id)
          .bind(2, info.manifest.name)
          .bind(3, labels_to_json(info.manifest.labels))
          .bind(4, static_cast<int64_t>(blob_st.st_size))
          .bind(5, static_cast<int64_t>(info.uncompressed_size))
          .bind(6, now)
          .bind(7, info.manifest_text)
          .run();
      log_.debug((known ? "already stored: " : "stored: ") + id + " (" + info.manifest.name + ")");
    }

    // The tree of the one-image chain: for an image without dependencies that is its
    // rendered tree (pathWhitelist applied); for one with dependencies it is the image's
    // own layer, which renders of its chain copy instead of extracting the blob again.
    if (tree.valid()) {
      std::string tid = tree_id_of({id});
      write_file_atomic(tree_tmp + "/manifest", info.manifest_text);
      make_dirs(tree_tmp + "/rootfs", 0755);
      if (info.manifest.dependencies.empty() && !info.manifest.path_whitelist.empty()) {
        UniqueFd rootfs = open_fd(tree_tmp + "/rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        apply_path_whitelist(rootfs.get(), info.manifest.path_whitelist);
      }
      FileLock rendering = lock_file_checked(layout.tree_lock(tid), LockMode::exclusive, true);
      std::string final_tree = layout.tree(tid);
      if (!path_exists(final_tree)) {
        sync_filesystem(tree.get(), tree_tmp);
        if (::rename(tree_tmp.c_str(), final_tree.c_str()) < 0)
          throw_errno("moving the rendered tree into place at " + final_tree);
        sync_dir(layout.trees());
        log_.debug("kept the extracted tree " + tid + " while importing");
      }
      db_->sql
          .prepare(
              "INSERT OR IGNORE INTO trees(id, image_id, chain, rendered_time) "
              "VALUES(?1,?2,?3,?4)")
          .bind(1, tid)
          .bind(2, id)
          .bind(3, id)
          .bind(4, unix_now())
          .run();
    }
    return id;
  });
  } catch (Error& e) {
    if ((e.errnum() == ENOSPC || e.errnum() == EDQUOT) && e.hint().empty())
      e.set_hint("the file system holding the image store " + db_->layout.cas +
                 " is full: free space ('pod image gc', 'pod image rm', 'pod gc') or give a "
                 "--dir on a larger one; nothing of this import was kept");
    throw;
  }
}

std::string Store::import_file(const std::string& path, const ImportOptions& opts) {
  UniqueFd fd = open_fd(path, O_RDONLY);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) throw_errno("inspecting " + path);
  char* real = ::realpath(path.c_str(), nullptr);
  std::string abs = real ? real : path;
  ::free(real);
  std::string url = "file://" + abs;
  std::string fingerprint = file_fingerprint(st);
  if (auto seen = get_remote(url); seen && seen->etag == fingerprint) {
    if (find_id(seen->image_id) && path_exists(db_->layout.blob(seen->image_id))) {
      log_.debug("unchanged since its import: " + abs + " is " + seen->image_id);
      touch(seen->image_id);
      return seen->image_id;
    }
  }
  std::string id = import(fd.get(), path, opts);
  set_remote(RemoteRecord{url, id, fingerprint, 0, unix_now()});
  return id;
}

}  // namespace pod::store
