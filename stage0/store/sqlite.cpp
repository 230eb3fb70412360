#include "stage0/store/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

#include "common/error.hpp"

namespace pod::store {

namespace {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& doing) {
  std::string msg = doing + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  Error e(msg);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    e.set_hint("another pod command kept the image store busy for too long; retry");
  else if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
    e.set_hint("the store index is damaged; move the cas directory away and fetch again");
  throw e;
}

}  // namespace

Statement::Statement(Statement&& o) noexcept
    : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)), sql_(std::move(o.sql_)) {}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "binding parameter of \"" + sql_ + "\"");
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "binding parameter of \"" + sql_ + "\"");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "binding parameter of \"" + sql_ + "\"");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(db_, rc, "running \"" + sql_ + "\"");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Sqlite Sqlite::open(const std::string& path, int busy_timeout_ms, bool already_wal) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Sqlite db(raw, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) throw_sqlite(raw, rc, "opening store index " + path);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // WAL lets readers (list, get) run while an import commits; NORMAL sync is
  // crash-safe in WAL mode (a killed process never corrupts the file).
  if (!already_wal) db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON");
  return db;
}

Sqlite::Sqlite(Sqlite&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

Sqlite& Sqlite::operator=(Sqlite&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}

Sqlite::~Sqlite() {
  if (db_) sqlite3_close_v2(db_);
}

void Sqlite::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Error e("running \"" + s + "\" on " + path_ + ": " + msg);
    if (rc == SQLITE_BUSY)
      e.set_hint("another pod command kept the image store busy for too long; retry");
    throw e;
  }
}

Statement Sqlite::prepare(std::string_view sql) const {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "preparing \"" + std::string(sql) + "\" on " + path_);
  return Statement(db_, stmt, std::string(sql));
}

int64_t Sqlite::changes() const { return sqlite3_changes64(db_); }

Transaction::Transaction(Sqlite& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const Error&) {
    // The connection rolls back by itself when it closes; nothing more to do here.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace pod::store
