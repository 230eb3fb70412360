// libarchive, loaded with dlopen on first use instead of linked: linking it made every
// `pod` command load it and the libraries it needs (libxml2 and ICU among them), and
// resolving their symbols cost ~2.3 M instructions of the ~12 M of `pod run` of a stored
// image (callgrind), while only importing, building and extracting images read archives.
// Each function pod calls is defined here with libarchive's own declaration (the headers
// are still included) and forwards to the library's symbol, looked up once. Generated from
// archive.h and archive_entry.h for the functions pod uses; a new one is added the same way.
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "common/error.hpp"

namespace {

constexpr const char* kLibarchive = "libarchive.so.13";  // Debian's libarchive13

void* library() {
  // Never dlclose'd: the functions must stay valid for the process's life.
  static void* const lib = [] {
    void* h = ::dlopen(kLibarchive, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = ::dlerror();
      pod::Error e(std::string("loading ") + kLibarchive + ": " + (why ? why : "unknown error"));
      e.set_hint("install Debian's libarchive13 package (scripts/install-deps.sh does)");
      throw e;
    }
    return h;
  }();
  return lib;
}

void* archive_symbol(const char* name) {
  void* sym = ::dlsym(library(), name);
  if (!sym) {
    pod::Error e(std::string("loading ") + kLibarchive + ": symbol " + name + " is missing");
    e.set_hint("install Debian's libarchive13 package (scripts/install-deps.sh does)");
    throw e;
  }
  return sym;
}

}  // namespace

extern "C" {

time_t archive_entry_atime(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_atime)>(archive_symbol("archive_entry_atime"));
  return fn(a0);
}
int archive_entry_atime_is_set(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_atime_is_set)>(archive_symbol("archive_entry_atime_is_set"));
  return fn(a0);
}
long archive_entry_atime_nsec(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_atime_nsec)>(archive_symbol("archive_entry_atime_nsec"));
  return fn(a0);
}
void archive_entry_copy_stat(struct archive_entry * a0, const struct stat * a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_copy_stat)>(archive_symbol("archive_entry_copy_stat"));
  fn(a0, a1);
}
__LA_MODE_T archive_entry_filetype(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_filetype)>(archive_symbol("archive_entry_filetype"));
  return fn(a0);
}
void archive_entry_free(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_free)>(archive_symbol("archive_entry_free"));
  fn(a0);
}
la_int64_t archive_entry_gid(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_gid)>(archive_symbol("archive_entry_gid"));
  return fn(a0);
}
const char * archive_entry_hardlink(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_hardlink)>(archive_symbol("archive_entry_hardlink"));
  return fn(a0);
}
time_t archive_entry_mtime(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_mtime)>(archive_symbol("archive_entry_mtime"));
  return fn(a0);
}
int archive_entry_mtime_is_set(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_mtime_is_set)>(archive_symbol("archive_entry_mtime_is_set"));
  return fn(a0);
}
long archive_entry_mtime_nsec(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_mtime_nsec)>(archive_symbol("archive_entry_mtime_nsec"));
  return fn(a0);
}
struct archive_entry * archive_entry_new() {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_new)>(archive_symbol("archive_entry_new"));
  return fn();
}
const char * archive_entry_pathname(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_pathname)>(archive_symbol("archive_entry_pathname"));
  return fn(a0);
}
__LA_MODE_T archive_entry_perm(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_perm)>(archive_symbol("archive_entry_perm"));
  return fn(a0);
}
dev_t archive_entry_rdev(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_rdev)>(archive_symbol("archive_entry_rdev"));
  return fn(a0);
}
void archive_entry_set_dev(struct archive_entry * a0, dev_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_dev)>(archive_symbol("archive_entry_set_dev"));
  fn(a0, a1);
}
void archive_entry_set_filetype(struct archive_entry * a0, unsigned int a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_filetype)>(archive_symbol("archive_entry_set_filetype"));
  fn(a0, a1);
}
void archive_entry_set_gid(struct archive_entry * a0, la_int64_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_gid)>(archive_symbol("archive_entry_set_gid"));
  fn(a0, a1);
}
void archive_entry_set_hardlink(struct archive_entry * a0, const char * a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_hardlink)>(archive_symbol("archive_entry_set_hardlink"));
  fn(a0, a1);
}
void archive_entry_set_ino64(struct archive_entry * a0, la_int64_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_ino64)>(archive_symbol("archive_entry_set_ino64"));
  fn(a0, a1);
}
void archive_entry_set_mtime(struct archive_entry * a0, time_t a1, long a2) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_mtime)>(archive_symbol("archive_entry_set_mtime"));
  fn(a0, a1, a2);
}
void archive_entry_set_nlink(struct archive_entry * a0, unsigned int a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_nlink)>(archive_symbol("archive_entry_set_nlink"));
  fn(a0, a1);
}
void archive_entry_set_pathname(struct archive_entry * a0, const char * a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_pathname)>(archive_symbol("archive_entry_set_pathname"));
  fn(a0, a1);
}
void archive_entry_set_perm(struct archive_entry * a0, __LA_MODE_T a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_perm)>(archive_symbol("archive_entry_set_perm"));
  fn(a0, a1);
}
void archive_entry_set_rdevmajor(struct archive_entry * a0, dev_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_rdevmajor)>(archive_symbol("archive_entry_set_rdevmajor"));
  fn(a0, a1);
}
void archive_entry_set_rdevminor(struct archive_entry * a0, dev_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_rdevminor)>(archive_symbol("archive_entry_set_rdevminor"));
  fn(a0, a1);
}
void archive_entry_set_size(struct archive_entry * a0, la_int64_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_size)>(archive_symbol("archive_entry_set_size"));
  fn(a0, a1);
}
void archive_entry_set_symlink(struct archive_entry * a0, const char * a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_symlink)>(archive_symbol("archive_entry_set_symlink"));
  fn(a0, a1);
}
void archive_entry_set_uid(struct archive_entry * a0, la_int64_t a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_set_uid)>(archive_symbol("archive_entry_set_uid"));
  fn(a0, a1);
}
la_int64_t archive_entry_size(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_size)>(archive_symbol("archive_entry_size"));
  return fn(a0);
}
int archive_entry_size_is_set(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_size_is_set)>(archive_symbol("archive_entry_size_is_set"));
  return fn(a0);
}
const char * archive_entry_symlink(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_symlink)>(archive_symbol("archive_entry_symlink"));
  return fn(a0);
}
la_int64_t archive_entry_uid(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_uid)>(archive_symbol("archive_entry_uid"));
  return fn(a0);
}
void archive_entry_unset_atime(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_unset_atime)>(archive_symbol("archive_entry_unset_atime"));
  fn(a0);
}
void archive_entry_unset_birthtime(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_unset_birthtime)>(archive_symbol("archive_entry_unset_birthtime"));
  fn(a0);
}
void archive_entry_unset_ctime(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_unset_ctime)>(archive_symbol("archive_entry_unset_ctime"));
  fn(a0);
}
void archive_entry_xattr_add_entry(struct archive_entry * a0, const char * a1, const void * a2, size_t a3) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_xattr_add_entry)>(archive_symbol("archive_entry_xattr_add_entry"));
  fn(a0, a1, a2, a3);
}
int archive_entry_xattr_next(struct archive_entry * a0, const char ** a1, const void ** a2, size_t * a3) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_xattr_next)>(archive_symbol("archive_entry_xattr_next"));
  return fn(a0, a1, a2, a3);
}
int archive_entry_xattr_reset(struct archive_entry * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_entry_xattr_reset)>(archive_symbol("archive_entry_xattr_reset"));
  return fn(a0);
}
const char * archive_error_string(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_error_string)>(archive_symbol("archive_error_string"));
  return fn(a0);
}
int archive_filter_code(struct archive * a0, int a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_filter_code)>(archive_symbol("archive_filter_code"));
  return fn(a0, a1);
}
la_ssize_t archive_read_data(struct archive * a0, void * a1, size_t a2) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_data)>(archive_symbol("archive_read_data"));
  return fn(a0, a1, a2);
}
int archive_read_data_block(struct archive * a0, const void ** a1, size_t * a2, la_int64_t * a3) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_data_block)>(archive_symbol("archive_read_data_block"));
  return fn(a0, a1, a2, a3);
}
int archive_read_free(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_free)>(archive_symbol("archive_read_free"));
  return fn(a0);
}
struct archive * archive_read_new() {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_new)>(archive_symbol("archive_read_new"));
  return fn();
}
int archive_read_next_header(struct archive * a0, struct archive_entry ** a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_next_header)>(archive_symbol("archive_read_next_header"));
  return fn(a0, a1);
}
int archive_read_open(struct archive * a0, void * a1, archive_open_callback * a2, archive_read_callback * a3, archive_close_callback * a4) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_open)>(archive_symbol("archive_read_open"));
  return fn(a0, a1, a2, a3, a4);
}
int archive_read_open_fd(struct archive * a0, int a1, size_t a2) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_open_fd)>(archive_symbol("archive_read_open_fd"));
  return fn(a0, a1, a2);
}
int archive_read_open_filename(struct archive * a0, const char * a1, size_t a2) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_open_filename)>(archive_symbol("archive_read_open_filename"));
  return fn(a0, a1, a2);
}
int archive_read_support_filter_all(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_filter_all)>(archive_symbol("archive_read_support_filter_all"));
  return fn(a0);
}
int archive_read_support_filter_bzip2(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_filter_bzip2)>(archive_symbol("archive_read_support_filter_bzip2"));
  return fn(a0);
}
int archive_read_support_filter_gzip(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_filter_gzip)>(archive_symbol("archive_read_support_filter_gzip"));
  return fn(a0);
}
int archive_read_support_filter_xz(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_filter_xz)>(archive_symbol("archive_read_support_filter_xz"));
  return fn(a0);
}
int archive_read_support_filter_zstd(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_filter_zstd)>(archive_symbol("archive_read_support_filter_zstd"));
  return fn(a0);
}
int archive_read_support_format_raw(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_format_raw)>(archive_symbol("archive_read_support_format_raw"));
  return fn(a0);
}
int archive_read_support_format_tar(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_read_support_format_tar)>(archive_symbol("archive_read_support_format_tar"));
  return fn(a0);
}
int archive_write_add_filter_bzip2(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_add_filter_bzip2)>(archive_symbol("archive_write_add_filter_bzip2"));
  return fn(a0);
}
int archive_write_add_filter_gzip(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_add_filter_gzip)>(archive_symbol("archive_write_add_filter_gzip"));
  return fn(a0);
}
int archive_write_add_filter_none(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_add_filter_none)>(archive_symbol("archive_write_add_filter_none"));
  return fn(a0);
}
int archive_write_add_filter_xz(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_add_filter_xz)>(archive_symbol("archive_write_add_filter_xz"));
  return fn(a0);
}
int archive_write_add_filter_zstd(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_add_filter_zstd)>(archive_symbol("archive_write_add_filter_zstd"));
  return fn(a0);
}
int archive_write_close(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_close)>(archive_symbol("archive_write_close"));
  return fn(a0);
}
la_ssize_t archive_write_data(struct archive * a0, const void * a1, size_t a2) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_data)>(archive_symbol("archive_write_data"));
  return fn(a0, a1, a2);
}
int archive_write_finish_entry(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_finish_entry)>(archive_symbol("archive_write_finish_entry"));
  return fn(a0);
}
int archive_write_free(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_free)>(archive_symbol("archive_write_free"));
  return fn(a0);
}
int archive_write_header(struct archive * a0, struct archive_entry * a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_header)>(archive_symbol("archive_write_header"));
  return fn(a0, a1);
}
struct archive * archive_write_new() {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_new)>(archive_symbol("archive_write_new"));
  return fn();
}
int archive_write_open(struct archive * a0, void * a1, archive_open_callback * a2, archive_write_callback * a3, archive_close_callback * a4) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_open)>(archive_symbol("archive_write_open"));
  return fn(a0, a1, a2, a3, a4);
}
int archive_write_open_memory(struct archive * a0, void * a1, size_t a2, size_t * a3) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_open_memory)>(archive_symbol("archive_write_open_memory"));
  return fn(a0, a1, a2, a3);
}
int archive_write_set_bytes_per_block(struct archive * a0, int a1) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_set_bytes_per_block)>(archive_symbol("archive_write_set_bytes_per_block"));
  return fn(a0, a1);
}
int archive_write_set_filter_option(struct archive * a0, const char * a1, const char * a2, const char * a3) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_set_filter_option)>(archive_symbol("archive_write_set_filter_option"));
  return fn(a0, a1, a2, a3);
}
int archive_write_set_format_pax_restricted(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_set_format_pax_restricted)>(archive_symbol("archive_write_set_format_pax_restricted"));
  return fn(a0);
}
int archive_write_set_format_raw(struct archive * a0) {
  static const auto fn = reinterpret_cast<decltype(&::archive_write_set_format_raw)>(archive_symbol("archive_write_set_format_raw"));
  return fn(a0);
}

// Variadic: formatted here, handed over as "%s".
void archive_set_error(struct archive* a, int err, const char* fmt, ...) {
  static const auto fn = reinterpret_cast<decltype(&::archive_set_error)>(archive_symbol("archive_set_error"));
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  fn(a, err, "%s", text);
}

}  // extern "C"
