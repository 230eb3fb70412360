// Garbage collection: rendered trees no pod uses, images unused for the grace
// period, and what killed commands left behind (temp work, blobs whose index
// row was never written, index rows whose files are gone).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tree_ops.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

namespace {

void read_tree_id(const std::string& file, std::set<std::string>& out) {
  try {
    std::string id(trim(read_file(file)));
    if (!id.empty()) out.insert(id);
  } catch (const Error&) {
    // The pod moved or went away while we looked: it no longer uses the tree.
  }
}

std::vector<std::string> list_dir_or_empty(const std::string& path) {
  if (!is_directory(path)) return {};
  try {
    return list_dir(path);
  } catch (const Error&) {
    return {};  // removed while we looked
  }
}

}  // namespace

std::vector<std::string> trees_used_by_pods(const std::string& data_dir) {
  std::set<std::string> used;
  std::string pods = path_join(data_dir, "pods");
  for (const auto& state : list_dir_or_empty(pods)) {
    std::string state_dir = pods + "/" + state;
    for (const auto& uuid : list_dir_or_empty(state_dir)) {
      std::string pod = state_dir + "/" + uuid;
      read_tree_id(pod + "/stage1TreeStoreID", used);
      for (const auto& app : list_dir_or_empty(pod + "/appsinfo"))
        read_tree_id(pod + "/appsinfo/" + app + "/treeStoreID", used);
    }
  }
  return {used.begin(), used.end()};
}

void Store::clean_stale_temps() {
  int n = clean_stale_workspaces(db_->layout);
  if (n > 0) log_.debug("removed " + std::to_string(n) + " leftover(s) of interrupted commands");
}

GcResult Store::gc(const GcOptions& opts) {
  return with_context("collecting garbage in the image store " + cas_dir_, [&] {
    const Layout& layout = db_->layout;
    GcResult result;
    if (!opts.dry_run) clean_stale_temps();

    // Trees: every directory under tree/ and every row, whichever a crash left alone.
    std::vector<std::string> in_use =
        opts.trees_in_use ? *opts.trees_in_use : trees_used_by_pods(data_dir_);
    std::set<std::string> trees;
    for (const auto& name : list_dir(layout.trees()))
      if (is_tree_id(name)) trees.insert(name);
    for (const auto& t : list_trees()) trees.insert(t.tree_id);
    for (const auto& t : trees) {
      if (std::find(in_use.begin(), in_use.end(), t) != in_use.end()) {
        result.kept_trees.push_back(t);
        continue;
      }
      if (opts.dry_run) {
        result.removed_trees.push_back(t);
        continue;
      }
      auto freed = remove_tree_if_unheld(db_->sql, layout, t);
      if (!freed) {
        result.kept_trees.push_back(t);
        continue;
      }
      result.removed_trees.push_back(t);
      result.bytes_freed += *freed;
    }

    // Images not used within the grace period.
    int64_t cutoff = unix_now() - opts.grace_period_seconds;
    for (const auto& img : list()) {
      if (img.last_used > cutoff) continue;  // used within the grace period
      if (!opts.dry_run) {
        try {
          remove(img.id);
        } catch (const Error& e) {
          // Removed by someone else meanwhile is fine; anything else is reported by the caller.
          if (find_id(img.id)) throw;
          continue;
        }
      }
      result.removed_images.push_back(img.id);
      result.bytes_freed += img.size;
    }
    // OCI layers that no remaining image or tree uses.
    gc_layers(result, opts.dry_run);
    if (opts.dry_run) return result;

    // Leftovers: blobs without a row (killed between rename and insert, or between
    // delete and unlink), remote records of gone images, lock files of gone trees.
    FileLock mutating = FileLock::acquire(layout.store_lock(), LockMode::exclusive, true);
    std::set<std::string> known;
    for (const auto& img : list()) known.insert(img.id);
    for (const auto& two : list_dir_or_empty(layout.blobs())) {
      for (const auto& hex : list_dir_or_empty(layout.blobs() + "/" + two)) {
        std::string id = std::string(kIdPrefix) + hex;
        if (!is_full_image_id(id) || known.count(id)) continue;
        std::string path = layout.blobs() + "/" + two + "/" + hex;
        struct stat st;
        if (::lstat(path.c_str(), &st) == 0)
          result.bytes_freed += static_cast<uint64_t>(st.st_size);
        if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw_errno("removing " + path);
        log_.debug("removed unlisted blob " + path);
      }
    }
    db_->sql.exec("DELETE FROM remotes WHERE image_id NOT IN (SELECT id FROM images)");
    for (const auto& name : list_dir_or_empty(layout.locks())) {
      if (!is_tree_id(name) || path_exists(layout.tree(name))) continue;
      FileLock lock = lock_file_checked(layout.tree_lock(name), LockMode::exclusive, false);
      if (lock.held() && !path_exists(layout.tree(name)))
        (void)::unlink(layout.tree_lock(name).c_str());  // best effort: an empty file
    }
    return result;
  });
}

}  // namespace pod::store
