// The image store's index, read without ever writing to the data directory.
//
// SQLite's read-only mode still creates the -wal and -shm files of a WAL database when
// they are missing and leaves them behind, so each read first tries the index as an
// immutable file (no locks, no side files), which is exact while no -wal file exists,
// and checks afterwards that nothing changed meanwhile; while a pod command has the
// index open (its -wal exists) it reads in read-only mode, using the files that are
// already there.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stage0/store/sqlite.hpp"
#include "stage0/store/store.hpp"

namespace pod::api {

class ImageIndex {
 public:
  explicit ImageIndex(std::string data_dir);

  // Every image, oldest import first; empty when no store exists yet.
  [[nodiscard]] std::vector<store::ImageRecord> list() const;
  [[nodiscard]] std::optional<store::ImageRecord> find_id(const std::string& full_id) const;

  // OCI images (the store's oci_images rows): image ID -> manifest media type.
  [[nodiscard]] std::map<std::string, std::string> oci_media_types() const;

  [[nodiscard]] const std::string& db_path() const noexcept { return db_; }

 private:
  using RowFn = std::function<void(const store::Statement&)>;
  // Runs `sql` (text parameter ?1 unless empty), calling `row` for each row; `restart`
  // forgets the rows of an attempt that has to be read again.
  void query(const std::string& sql, const std::string& param, const RowFn& row,
             const std::function<void()>& restart) const;
  [[nodiscard]] std::vector<store::ImageRecord> images(const std::string& sql,
                                                       const std::string& param) const;
  std::string db_;
};

}  // namespace pod::api
