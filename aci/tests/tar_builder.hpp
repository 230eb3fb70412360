// Test helper: builds tar streams entry by entry with libarchive, including the hostile
// ones no well-behaved tool writes, and hand-made ustar headers for what libarchive
// refuses to write (a size the data does not have).
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pod::aci::testing {

inline std::string minimal_manifest(const std::string& name = "example.com/test") {
  return R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":")" + name + R"("})";
}

class TarBuilder {
 public:
  TarBuilder() : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_);
    archive_write_add_filter_none(a_);
    archive_write_set_bytes_per_block(a_, 512);
    if (archive_write_open(a_, this, nullptr, &TarBuilder::append, nullptr) != ARCHIVE_OK)
      throw std::runtime_error(archive_error_string(a_));
  }
  ~TarBuilder() { archive_write_free(a_); }
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  TarBuilder& manifest(const std::string& text = minimal_manifest()) {
    return file("manifest", text);
  }
  TarBuilder& file(const std::string& path, const std::string& content, unsigned mode = 0644,
                   std::vector<std::pair<std::string, std::string>> xattrs = {}) {
    archive_entry* e = entry(path, AE_IFREG, mode);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    for (const auto& [k, v] : xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    write(e, content);
    return *this;
  }
  TarBuilder& dir(const std::string& path, unsigned mode = 0755) {
    write(entry(path, AE_IFDIR, mode), {});
    return *this;
  }
  TarBuilder& symlink(const std::string& path, const std::string& target) {
    archive_entry* e = entry(path, AE_IFLNK, 0777);
    archive_entry_set_symlink(e, target.c_str());
    write(e, {});
    return *this;
  }
  TarBuilder& hardlink(const std::string& path, const std::string& target) {
    archive_entry* e = entry(path, AE_IFREG, 0644);
    archive_entry_set_hardlink(e, target.c_str());
    archive_entry_set_size(e, 0);
    write(e, {});
    return *this;
  }
  TarBuilder& device(const std::string& path, unsigned type, unsigned major, unsigned minor) {
    archive_entry* e = entry(path, type, 0666);
    archive_entry_set_rdevmajor(e, major);
    archive_entry_set_rdevminor(e, minor);
    write(e, {});
    return *this;
  }
  TarBuilder& fifo(const std::string& path) {
    write(entry(path, AE_IFIFO, 0600), {});
    return *this;
  }
  // Sets owner and mtime of the entries added after this call.
  TarBuilder& owner(long uid, long gid) {
    uid_ = uid;
    gid_ = gid;
    return *this;
  }
  TarBuilder& mtime(long t) {
    mtime_ = t;
    return *this;
  }
  // A ustar header declaring `size` bytes, followed by only what `data` holds, unpadded.
  TarBuilder& raw_header(const std::string& path, unsigned long long size, const std::string& data) {
    flush_pending();
    char h[512] = {};
    std::snprintf(h, 100, "%s", path.c_str());
    std::snprintf(h + 100, 8, "%07o", 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011llo", size);
    std::snprintf(h + 136, 12, "%011o", 0);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    extra_.append(h, sizeof h);
    extra_ += data;
    return *this;
  }
  // The tar stream with its end-of-archive blocks.
  std::string finish() {
    if (extra_.empty()) archive_write_close(a_);
    return out_ + extra_;
  }

 private:
  archive_entry* entry(const std::string& path, unsigned type, unsigned mode) {
    entries_.emplace_back(archive_entry_new(), &archive_entry_free);
    archive_entry* e = entries_.back().get();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_uid(e, uid_);
    archive_entry_set_gid(e, gid_);
    archive_entry_set_mtime(e, mtime_, 0);
    return e;
  }
  void write(archive_entry* e, const std::string& data) {
    if (!extra_.empty()) throw std::logic_error("raw_header must come last");
    if (archive_write_header(a_, e) != ARCHIVE_OK)
      throw std::runtime_error(std::string("test tar: ") + archive_error_string(a_));
    if (!data.empty() && archive_write_data(a_, data.data(), data.size()) < 0)
      throw std::runtime_error(archive_error_string(a_));
  }
  void flush_pending() {
    if (archive_write_finish_entry(a_) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a_));
  }
  static la_ssize_t append(archive*, void* self, const void* buf, size_t n) {
    static_cast<TarBuilder*>(self)->out_.append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }

  archive* a_;
  std::string out_;
  std::string extra_;
  long uid_ = 0;
  long gid_ = 0;
  long mtime_ = 1700000000;
  std::vector<std::unique_ptr<archive_entry, void (*)(archive_entry*)>> entries_;
};

}  // namespace pod::aci::testing
