// The store's SQLite index: schema, migrations and row <-> record mapping.
// Internal to stage0/store.
#pragma once

#include <cstdint>
#include <string>

#include "aci/names.hpp"
#include "stage0/store/layout.hpp"
#include "stage0/store/sqlite.hpp"
#include "stage0/store/store.hpp"

namespace pod::store {

// PRAGMA user_version of the schema this code writes.
inline constexpr int kSchemaVersion = 2;

// Columns selected for an ImageRecord, in the order image_from_row() reads them.
inline constexpr const char* kImageColumns =
    "id, name, labels, size, uncompressed_size, import_time, last_used, manifest";

// Creates or upgrades the schema inside one write transaction (safe when many
// processes open a new store at once). Throws when the index is from a newer pod.
void migrate_schema(Sqlite& db);

[[nodiscard]] ImageRecord image_from_row(const Statement& st);
[[nodiscard]] std::string labels_to_json(const aci::Labels& labels);
[[nodiscard]] aci::Labels labels_from_json(const std::string& text);

[[nodiscard]] int64_t unix_now();

}  // namespace pod::store

// The private half of Store: its connection and layout.
struct pod::store::Store::Db {
  Sqlite sql;
  Layout layout;
};
