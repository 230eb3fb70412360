#include <doctest/doctest.h>
#include <sqlite3.h>

#include "api-service/image_index.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

using namespace pod::api;

namespace {

sqlite3* open_writer(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  return db;
}

void exec(sqlite3* db, const char* sql) { REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }

const char* kSchema =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE images (id TEXT PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL,"
    " size INTEGER, uncompressed_size INTEGER, import_time INTEGER, last_used INTEGER,"
    " manifest TEXT NOT NULL);";

}  // namespace

TEST_CASE("the index is read without creating -wal or -shm files, and sees live commits") {
  pod::TempPath data = pod::make_temp_dir("/tmp", "api-index-");
  pod::make_dirs(data.path() + "/cas");
  std::string db_path = data.path() + "/cas/db";
  ImageIndex index(data.path());
  CHECK(index.list().empty());  // no store yet: nothing, and nothing created
  CHECK_FALSE(pod::path_exists(db_path));

  sqlite3* w = open_writer(db_path);
  exec(w, kSchema);
  exec(w, "INSERT INTO images VALUES ('sha512-1', 'example.com/a', '[]', 1, 1, 100, 100, '{}')");
  sqlite3_close(w);  // the last connection checkpoints and removes -wal and -shm
  REQUIRE_FALSE(pod::path_exists(db_path + "-wal"));

  auto rows = index.list();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].name == "example.com/a");
  CHECK(index.find_id("sha512-1").has_value());
  CHECK_FALSE(index.find_id("sha512-2").has_value());
  CHECK(index.oci_media_types().empty());  // an index without OCI tables
  CHECK_FALSE(pod::path_exists(db_path + "-wal"));
  CHECK_FALSE(pod::path_exists(db_path + "-shm"));

  // A pod command holding the index open: its commits, still in the -wal, are seen.
  sqlite3* live = open_writer(db_path);
  exec(live, "INSERT INTO images VALUES ('sha512-2', 'example.com/b', '[]', 1, 1, 200, 200, '{}')");
  REQUIRE(pod::path_exists(db_path + "-wal"));
  CHECK(index.list().size() == 2);
  sqlite3_close(live);
  CHECK_FALSE(pod::path_exists(db_path + "-wal"));
  CHECK(index.list().size() == 2);
}
