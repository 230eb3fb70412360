#include "stage0/store/index.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace pod::store {

namespace {

// Version 1: the first schema. A later version appends a step here; steps run in order.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  labels TEXT NOT NULL,
  size INTEGER NOT NULL,
  uncompressed_size INTEGER NOT NULL,
  import_time INTEGER NOT NULL,
  last_used INTEGER NOT NULL,
  manifest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS images_by_name ON images(name);
CREATE TABLE IF NOT EXISTS remotes (
  url TEXT PRIMARY KEY,
  image_id TEXT NOT NULL,
  etag TEXT NOT NULL,
  max_age INTEGER NOT NULL,
  download_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS remotes_by_image ON remotes(image_id);
CREATE TABLE IF NOT EXISTS trees (
  id TEXT PRIMARY KEY,
  image_id TEXT NOT NULL,
  chain TEXT NOT NULL,
  rendered_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS trees_by_image ON trees(image_id);
)sql";

// Version 2 (additive): OCI images beside the images rows that describe them, and the
// layers they share.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS oci_images (
  id TEXT PRIMARY KEY,
  manifest_digest TEXT NOT NULL,
  config_digest TEXT NOT NULL,
  layers TEXT NOT NULL,
  manifest TEXT NOT NULL,
  reference TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oci_layers (
  diff_id TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  size INTEGER NOT NULL,
  uncompressed_size INTEGER NOT NULL,
  import_time INTEGER NOT NULL
);
)sql";

int user_version(Sqlite& db) {
  auto st = db.prepare("PRAGMA user_version");
  return st.step() ? static_cast<int>(st.integer(0)) : 0;
}

}  // namespace

void migrate_schema(Sqlite& db) {
  // Most opens find the schema current: check without taking the write lock.
  int v = user_version(db);
  if (v == kSchemaVersion) return;
  if (v > kSchemaVersion)
    throw Error("store index " + db.path() + " has schema version " + std::to_string(v) +
                    ", newer than this pod understands (" + std::to_string(kSchemaVersion) + ")",
                0, "use the pod version that wrote it, or a newer one");
  Transaction tx(db);
  v = user_version(db);  // another process may have migrated while we waited
  if (v < 1) db.exec(kSchemaV1);
  if (v < 2) db.exec(kSchemaV2);
  db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  tx.commit();
}

std::string labels_to_json(const aci::Labels& labels) {
  auto arr = nlohmann::json::array();
  for (const auto& l : labels) arr.push_back({{"name", l.name}, {"value", l.value}});
  return arr.dump();
}

aci::Labels labels_from_json(const std::string& text) {
  aci::Labels labels;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return labels;  // written by us; an unreadable value lists as no labels
  for (const auto& l : j)
    if (l.is_object() && l.value("name", "") != "")
      labels.set(l.value("name", ""), l.value("value", ""));
  return labels;
}

ImageRecord image_from_row(const Statement& st) {
  ImageRecord r;
  r.id = st.text(0);
  r.name = st.text(1);
  r.labels = labels_from_json(st.text(2));
  r.size = static_cast<uint64_t>(st.integer(3));
  r.uncompressed_size = static_cast<uint64_t>(st.integer(4));
  r.import_time = st.integer(5);
  r.last_used = st.integer(6);
  r.manifest_text = st.text(7);
  return r;
}

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace pod::store
