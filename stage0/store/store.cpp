// Opening the store, and the index look-ups: images by ID, prefix, name and
// labels; remote cache records; removal of one image.
#include "stage0/store/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "aci/names.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/reference.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/tree_ops.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

namespace {

constexpr int kBusyTimeoutMs = 30'000;

bool labels_match(const aci::Labels& have, const aci::Labels& want) {
  for (const auto& w : want) {
    auto v = have.get(w.name);
    if (!v || *v != w.value) return false;
  }
  return true;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// True when the index file is already in WAL mode, read from its header (bytes 18
// and 19, the file format versions, are 2 for WAL) without opening it through SQLite.
// (The schema version is not checked here: in WAL mode its update may still sit in the
// -wal file; migrate_schema's write transaction waits for its turn properly anyway.)
bool index_is_wal(const std::string& path) {
  unsigned char header[20];
  UniqueFd fd;
  try {
    fd = open_fd(path, O_RDONLY);
  } catch (const Error&) {
    return false;  // not created yet
  }
  if (::pread(fd.get(), header, sizeof header, 0) != static_cast<ssize_t>(sizeof header))
    return false;
  return header[18] == 2 && header[19] == 2;
}

Error not_found(const std::string& what) {
  Error e("image " + what + " is not in the store");
  e.set_hint("'pod image list' shows the images in the store; 'pod fetch' adds one");
  return e;
}

// rkt's words for an ID that matches nothing, which scripts match.
Error id_not_found(const std::string& id) {
  Error e("no image IDs found matching " + id);
  e.set_hint("'pod image list' shows the images in the store; 'pod fetch' adds one");
  return e;
}

}  // namespace

aci::ImageManifest ImageRecord::manifest() const {
  return with_context("reading the manifest of image " + id,
                      [&] { return aci::ImageManifest::parse(manifest_text); });
}

std::string short_id(const std::string& id) {
  return id.size() > kIdPrefix.size() + 32 ? id.substr(0, kIdPrefix.size() + 32) : id;
}

Store::Store(std::string data_dir, std::string cas_dir, std::unique_ptr<Db> db, Logger log)
    : data_dir_(std::move(data_dir)), cas_dir_(std::move(cas_dir)), db_(std::move(db)), log_(log) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::string& data_dir, const Logger& log) {
  return with_context("opening the image store in " + data_dir, [&] {
    Layout layout{path_join(data_dir, "cas")};
    for (const auto& d : {layout.blobs(), layout.trees(), layout.tmp(), layout.locks()})
      make_dirs(d, 0700);
    // Switching a new database to WAL mode fails at once (no busy wait) while another
    // process has it open, so the processes that find the store new take turns; once
    // the file says WAL, nobody waits here.
    FileLock setting_up;
    const bool wal = index_is_wal(layout.db());
    if (!wal) setting_up = FileLock::acquire(layout.locks() + "/setup", LockMode::exclusive, true);
    auto db = std::make_unique<Db>(Db{Sqlite::open(layout.db(), kBusyTimeoutMs, wal), layout});
    migrate_schema(db->sql);
    std::string cas = layout.cas;
    return Store(data_dir, cas, std::move(db), log);
  });
}

std::optional<ImageRecord> Store::find_id(const std::string& full_id) const {
  auto st = db_->sql.prepare(std::string("SELECT ") + kImageColumns + " FROM images WHERE id=?1");
  st.bind(1, full_id);
  if (!st.step()) return std::nullopt;
  return image_from_row(st);
}

ImageRecord Store::get(const std::string& id_or_prefix) const {
  if (is_full_image_id(id_or_prefix)) {
    auto r = find_id(id_or_prefix);
    if (!r) throw id_not_found(id_or_prefix);
    return *r;
  }
  std::string_view hex = id_or_prefix;
  if (!starts_with(hex, kIdPrefix) || hex.size() == kIdPrefix.size() ||
      !is_lower_hex(hex.substr(kIdPrefix.size())) || hex.size() > kIdPrefix.size() + kHexLen)
    throw UsageError("\"" + id_or_prefix + "\" is not an image ID", 0,
                     "an image ID is sha512- followed by hex digits (a unique prefix is enough)");
  // rkt's minimum (and its words, which scripts match): two hex digits.
  if (hex.size() < kIdPrefix.size() + 2)
    throw Error("image ID too short: \"" + id_or_prefix + "\"", 0,
                "give at least two hex digits after sha512- ('pod image list' shows the IDs)");
  // The prefix holds only [a-z0-9-], so GLOB needs no escaping.
  auto st = db_->sql.prepare(std::string("SELECT ") + kImageColumns +
                             " FROM images WHERE id GLOB ?1 || '*' ORDER BY id LIMIT 3");
  st.bind(1, id_or_prefix);
  std::vector<ImageRecord> found;
  while (st.step()) found.push_back(image_from_row(st));
  if (found.empty()) throw id_not_found(id_or_prefix);
  if (found.size() > 1) {
    std::vector<std::string> ids;
    for (const auto& r : found) ids.push_back(short_id(r.id));
    throw Error("image ID prefix " + id_or_prefix + " is ambiguous: it matches " + join(ids, ", ") +
                    (found.size() > 2 ? " and more" : ""),
                0, "give more digits of the ID ('pod image list --full' shows them whole)");
  }
  return found.front();
}

std::optional<ImageRecord> Store::find(const std::string& name, const aci::Labels& labels) const {
  auto st = db_->sql.prepare(std::string("SELECT ") + kImageColumns +
                             " FROM images WHERE name=?1 ORDER BY import_time DESC, rowid DESC");
  st.bind(1, name);
  while (st.step()) {
    ImageRecord r = image_from_row(st);
    if (labels_match(r.labels, labels)) return r;
  }
  return std::nullopt;
}

ImageRecord Store::resolve(const std::string& ref) const {
  if (starts_with(ref, kIdPrefix)) return get(ref);
  if (oci::is_oci_reference(ref)) {
    auto r = find_oci_reference(ref);
    if (!r) throw not_found("\"" + ref + "\"");
    return *r;
  }
  aci::ImageReference parsed =
      with_context("image name \"" + ref + "\"", [&] { return aci::parse_image_reference(ref); });
  auto r = find(parsed.name, parsed.labels);
  if (!r) throw not_found("\"" + ref + "\"");
  return *r;
}

std::vector<ImageRecord> Store::list() const {
  auto st = db_->sql.prepare(std::string("SELECT ") + kImageColumns +
                             " FROM images ORDER BY import_time, rowid");
  std::vector<ImageRecord> out;
  while (st.step()) out.push_back(image_from_row(st));
  return out;
}

void Store::touch(const std::string& full_id) {
  require_full_image_id(full_id);
  db_->sql.prepare("UPDATE images SET last_used=?2 WHERE id=?1")
      .bind(1, full_id)
      .bind(2, unix_now())
      .run();
}

std::optional<RemoteRecord> Store::get_remote(const std::string& url) const {
  auto st = db_->sql.prepare(
      "SELECT url, image_id, etag, max_age, download_time FROM remotes WHERE url=?1");
  st.bind(1, url);
  if (!st.step()) return std::nullopt;
  return RemoteRecord{st.text(0), st.text(1), st.text(2), st.integer(3), st.integer(4)};
}

void Store::set_remote(const RemoteRecord& rec) {
  require_full_image_id(rec.image_id);
  db_->sql
      .prepare(
          "INSERT INTO remotes(url, image_id, etag, max_age, download_time) VALUES(?1,?2,?3,?4,?5) "
          "ON CONFLICT(url) DO UPDATE SET image_id=excluded.image_id, etag=excluded.etag, "
          "max_age=excluded.max_age, download_time=excluded.download_time")
      .bind(1, rec.url)
      .bind(2, rec.image_id)
      .bind(3, rec.etag)
      .bind(4, rec.max_age)
      .bind(5, rec.download_time)
      .run();
}

std::string Store::blob_path(const std::string& full_id) const { return db_->layout.blob(full_id); }

std::string Store::tree_path(const std::string& tree_id) const { return db_->layout.tree(tree_id); }

std::vector<TreeRecord> Store::list_trees() const {
  auto st =
      db_->sql.prepare("SELECT id, image_id, rendered_time FROM trees ORDER BY rendered_time");
  std::vector<TreeRecord> out;
  while (st.step()) out.push_back(TreeRecord{st.text(0), st.text(1), st.integer(2)});
  return out;
}

void Store::remove(const std::string& full_id) {
  with_context("removing image " + full_id, [&] {
    require_full_image_id(full_id);
    std::vector<std::string> trees;
    {
      FileLock mutating = FileLock::acquire(db_->layout.store_lock(), LockMode::exclusive, true);
      Transaction tx(db_->sql);
      db_->sql.prepare("DELETE FROM images WHERE id=?1").bind(1, full_id).run();
      if (db_->sql.changes() == 0) throw not_found(full_id);
      db_->sql.prepare("DELETE FROM remotes WHERE image_id=?1").bind(1, full_id).run();
      // Its layers stay until gc finds no image or tree using them.
      db_->sql.prepare("DELETE FROM oci_images WHERE id=?1").bind(1, full_id).run();
      auto st = db_->sql.prepare("SELECT id FROM trees WHERE image_id=?1");
      st.bind(1, full_id);
      while (st.step()) trees.push_back(st.text(0));
      tx.commit();
      // The row is gone first: a crash now leaves an unlisted blob, which gc removes.
      std::string blob = db_->layout.blob(full_id);
      if (::unlink(blob.c_str()) < 0 && errno != ENOENT) throw_errno("removing " + blob);
    }
    // Trees rendered from it go too, unless a pod uses one or someone holds it.
    auto in_use = trees_used_by_pods(data_dir_);
    for (const auto& t : trees) {
      if (std::find(in_use.begin(), in_use.end(), t) != in_use.end()) {
        log_.debug("keeping tree " + t + " of removed image " + full_id + ": a pod uses it");
        continue;
      }
      if (!remove_tree_if_unheld(db_->sql, db_->layout, t))
        log_.debug("keeping tree " + t + " of removed image " + full_id + ": in use");
    }
  });
}

}  // namespace pod::store
