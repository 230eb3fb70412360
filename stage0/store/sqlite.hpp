// A thin RAII layer over SQLite for the store's index: one connection, prepared
// statements, and transactions that roll back unless committed. Every failure
// throws pod::Error naming the database and the statement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace pod::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql) noexcept
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQL ("?1").
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind_null(int index);
  // Steps once; true while a row is available.
  [[nodiscard]] bool step();
  // Steps to completion (for statements that return no rows).
  void run();
  [[nodiscard]] std::string text(int column) const;  // columns from 0
  [[nodiscard]] int64_t integer(int column) const;
  [[nodiscard]] bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

class Sqlite {
 public:
  // Opens (creating) the database, sets the busy timeout and WAL mode (unless the caller
  // read from the file's header that it is in WAL mode already: the mode is persistent).
  [[nodiscard]] static Sqlite open(const std::string& path, int busy_timeout_ms,
                                   bool already_wal = false);
  Sqlite(Sqlite&& o) noexcept;
  Sqlite& operator=(Sqlite&& o) noexcept;
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;
  ~Sqlite();

  void exec(std::string_view sql);
  [[nodiscard]] Statement prepare(std::string_view sql) const;
  [[nodiscard]] int64_t changes() const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  Sqlite(sqlite3* db, std::string path) noexcept : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE (takes the write lock at once, so two writers never deadlock
// upgrading read locks); rolls back on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Sqlite& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Sqlite& db_;
  bool done_ = false;
};

}  // namespace pod::store
