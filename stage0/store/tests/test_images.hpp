// Builds small ACIs for the store's tests with libarchive (not with the code
// under test), in a private temp directory that goes away with the fixture, and
// imports them into a store the way `pod fetch` does, from a file.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/temp_path.hpp"
#include "stage0/store/store.hpp"

namespace pod::store::testing {

struct Entry {
  std::string content;  // file content, or symlink target
  bool dir = false;
  bool symlink = false;
  unsigned mode = 0644;
};
using Files = std::map<std::string, Entry>;  // path under rootfs/ -> entry

struct Dep {
  std::string name;
  std::string id;  // empty: by name and labels only
  std::map<std::string, std::string> labels;
};

inline std::string manifest_json(const std::string& name,
                                 const std::map<std::string, std::string>& labels,
                                 const std::vector<Dep>& deps = {},
                                 const std::vector<std::string>& whitelist = {}) {
  nlohmann::json m = {{"acKind", "ImageManifest"}, {"acVersion", "0.8.11"}, {"name", name}};
  auto ls = nlohmann::json::array();
  for (const auto& [k, v] : labels) ls.push_back({{"name", k}, {"value", v}});
  m["labels"] = ls;
  if (!deps.empty()) {
    auto ds = nlohmann::json::array();
    for (const auto& d : deps) {
      nlohmann::json j = {{"imageName", d.name}};
      if (!d.id.empty()) j["imageID"] = d.id;
      auto dl = nlohmann::json::array();
      for (const auto& [k, v] : d.labels) dl.push_back({{"name", k}, {"value", v}});
      if (!dl.empty()) j["labels"] = dl;
      ds.push_back(j);
    }
    m["dependencies"] = ds;
  }
  if (!whitelist.empty()) m["pathWhitelist"] = whitelist;
  return m.dump(2);
}

// The ACI's bytes: "manifest", "rootfs/" and the files, gzip-compressed unless !gzip.
inline std::string make_aci(const std::string& manifest, const Files& files, bool gzip = true) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  std::vector<char> buf(16 << 20);
  size_t used = 0;
  if (archive_write_open_memory(a, buf.data(), buf.size(), &used) != ARCHIVE_OK)
    throw std::runtime_error("archive_write_open_memory");
  auto add = [&](const std::string& path, const Entry& e) {
    archive_entry* ent = archive_entry_new();
    archive_entry_set_pathname(ent, path.c_str());
    archive_entry_set_mtime(ent, 1700000000, 0);
    if (e.dir) {
      archive_entry_set_filetype(ent, AE_IFDIR);
      archive_entry_set_perm(ent, e.mode == 0644 ? 0755 : e.mode);
    } else if (e.symlink) {
      archive_entry_set_filetype(ent, AE_IFLNK);
      archive_entry_set_perm(ent, 0777);
      archive_entry_set_symlink(ent, e.content.c_str());
    } else {
      archive_entry_set_filetype(ent, AE_IFREG);
      archive_entry_set_perm(ent, e.mode);
      archive_entry_set_size(ent, static_cast<la_int64_t>(e.content.size()));
    }
    if (archive_write_header(a, ent) != ARCHIVE_OK)
      throw std::runtime_error(std::string("archive_write_header: ") + archive_error_string(a));
    if (!e.dir && !e.symlink && !e.content.empty())
      archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(ent);
  };
  add("manifest", Entry{manifest});
  add("rootfs", Entry{"", true});
  for (const auto& [path, e] : files) add("rootfs/" + path, e);
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

// A fixture: a temp data dir, and ACI files written into it.
struct TempStore {
  TempPath root = make_temp_dir("/tmp", "pod-store-test-");
  std::string data = root.path() + "/data";
  Logger log{false};
  int counter = 0;

  std::string write_aci(const std::string& bytes) {
    std::string path = root.path() + "/image" + std::to_string(counter++) + ".aci";
    write_file_atomic(path, bytes);
    return path;
  }
};

// Writes `aci` to a file of `t` and imports it into `s`; the image ID.
inline std::string import_bytes(Store& s, TempStore& t, const std::string& aci) {
  std::string path = t.write_aci(aci);
  UniqueFd fd = open_fd(path, O_RDONLY);
  return s.import(fd.get(), path);
}

}  // namespace pod::store::testing
