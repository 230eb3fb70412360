#include "api-service/image_index.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "stage0/store/index.hpp"

namespace pod::api {

namespace {

constexpr int kImmutableAttempts = 3;
constexpr int kBusyTimeoutMs = 5000;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// What changes when the index file is written: a checkpoint rewrites pages in place.
struct FileStamp {
  bool exists = false;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return {};
  return {true, st.st_ino, st.st_size, int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

DbHandle open_db(const std::string& path, bool immutable) {
  // URI parameters keep SQLite from creating or changing anything.
  std::string uri = "file:" + path + (immutable ? "?immutable=1" : "?mode=ro");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &raw,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK)
    throw Error("opening the image index " + path + " read-only: " +
                (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return db;
}

// Runs `sql` (with text parameter ?1 unless empty), calling `row` for each row. A table
// that is not there (an index older than the OCI tables) yields no rows.
void run(sqlite3* db, const std::string& sql, const std::string& param,
         const std::function<void(const store::Statement&)>& row) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db);
    if (msg.rfind("no such table", 0) == 0) return;
    throw Error("reading the image index: " + msg);
  }
  store::Statement st(db, raw, sql);
  if (!param.empty()) st.bind(1, param);
  while (st.step()) row(st);
}

}  // namespace

ImageIndex::ImageIndex(std::string data_dir) : db_(std::move(data_dir) + "/cas/db") {}

void ImageIndex::query(const std::string& sql, const std::string& param, const RowFn& row,
                       const std::function<void()>& restart) const {
  std::string wal = db_ + "-wal";
  for (int attempt = 0; attempt < kImmutableAttempts; ++attempt) {
    FileStamp before = stamp(db_);
    if (!before.exists) return;
    if (exists(wal)) break;
    try {
      run(open_db(db_, true).get(), sql, param, row);
      if (!exists(wal) && stamp(db_) == before) return;
    } catch (const Error&) {
      // Read while a writer changed the file: what we read may be torn; read again.
    }
    restart();
  }
  // A pod command has the index open: its -wal and -shm exist, so read-only mode reads
  // the latest commits through them without creating anything.
  with_context("reading the image index " + db_,
               [&] { run(open_db(db_, false).get(), sql, param, row); });
}

std::vector<store::ImageRecord> ImageIndex::images(const std::string& sql,
                                                   const std::string& param) const {
  std::vector<store::ImageRecord> out;
  query(sql, param, [&](const store::Statement& st) { out.push_back(store::image_from_row(st)); },
        [&] { out.clear(); });
  return out;
}

std::map<std::string, std::string> ImageIndex::oci_media_types() const {
  std::map<std::string, std::string> out;
  query("SELECT id, manifest FROM oci_images", {},
        [&](const store::Statement& st) {
          auto m = nlohmann::json::parse(st.text(1), nullptr, false);
          std::string type = m.is_object() ? m.value("mediaType", std::string()) : std::string();
          out[st.text(0)] = type;
        },
        [&] { out.clear(); });
  return out;
}

std::vector<store::ImageRecord> ImageIndex::list() const {
  return images(std::string("SELECT ") + store::kImageColumns +
                   " FROM images ORDER BY import_time, rowid",
               {});
}

std::optional<store::ImageRecord> ImageIndex::find_id(const std::string& full_id) const {
  auto rows =
      images(std::string("SELECT ") + store::kImageColumns + " FROM images WHERE id = ?1", full_id);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

}  // namespace pod::api
