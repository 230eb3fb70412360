// Builds an ACI with two chained libarchive writers: a tar writer (pax restricted: plain
// ustar unless an entry needs more) whose output is hashed on its way into a raw-format
// writer that compresses, so the image ID comes from the same pass that writes the file.
// Entries are written in sorted order with nothing from the build host (no atime, ctime,
// user names, gzip timestamp), so the same tree always gives the same bytes.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <map>
#include <vector>

#include "aci/archive.hpp"
#include "aci/libarchive_handle.hpp"
#include "aci/safe_extract.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/sha512.hpp"
#include "common/strings.hpp"
#include "common/temp_path.hpp"

namespace pod::aci {

namespace {

constexpr size_t kOutputBuffer = 1 << 20;

struct Sink {
  int fd = -1;
  std::string shown;  // the temp file, for errors
  std::vector<char> pending;
  uint64_t compressed = 0;
  archive* outer = nullptr;
  Sha512 hash;
  uint64_t uncompressed = 0;
  std::exception_ptr error;

  void flush() {
    write_all(fd, std::string_view(pending.data(), pending.size()), shown);
    pending.clear();
  }
};

la_ssize_t outer_write(archive* a, void* client, const void* buf, size_t n) {
  auto& s = *static_cast<Sink*>(client);
  try {
    const char* p = static_cast<const char*>(buf);
    s.pending.insert(s.pending.end(), p, p + n);
    if (s.pending.size() >= kOutputBuffer) s.flush();
    s.compressed += n;
    return static_cast<la_ssize_t>(n);
  } catch (...) {
    if (!s.error) s.error = std::current_exception();
    archive_set_error(a, EIO, "write failed");
    return -1;
  }
}

la_ssize_t inner_write(archive* a, void* client, const void* buf, size_t n) {
  auto& s = *static_cast<Sink*>(client);
  s.hash.update(buf, n);
  s.uncompressed += n;
  la_ssize_t w = archive_write_data(s.outer, buf, n);
  if (w < 0) {
    archive_set_error(a, EIO, "%s", archive_error_text(s.outer).c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

[[noreturn]] void fail(const Sink& s, archive* a, const std::string& doing) {
  if (s.error) std::rethrow_exception(s.error);
  throw Error(doing + ": " + archive_error_text(a));
}

void add_filter(archive* a, Compression c) {
  int r = ARCHIVE_OK;
  switch (c) {
    case Compression::none: r = archive_write_add_filter_none(a); break;
    case Compression::gzip:
      r = archive_write_add_filter_gzip(a);
      // No build time in the gzip header: same tree, same bytes.
      if (r == ARCHIVE_OK) r = archive_write_set_filter_option(a, "gzip", "timestamp", nullptr);
      break;
    case Compression::bzip2: r = archive_write_add_filter_bzip2(a); break;
    case Compression::xz: r = archive_write_add_filter_xz(a); break;
    case Compression::zstd: r = archive_write_add_filter_zstd(a); break;
  }
  if (r < ARCHIVE_WARN) throw Error("setting up " + compression_name(c) + ": " + archive_error_text(a));
}

// Extended attributes worth keeping in an image (security.capability above all), sorted.
// system.* (ACLs) is left out: the appc spec has no notion of it.
void copy_xattrs(archive_entry* e, const std::string& path, const std::string& shown) {
  std::vector<char> names(1024);
  ssize_t len;
  while ((len = ::llistxattr(path.c_str(), names.data(), names.size())) < 0 && errno == ERANGE)
    names.resize(names.size() * 4);
  if (len < 0) {
    if (errno == ENOTSUP) return;  // the file system has none
    throw_errno("listing extended attributes of " + shown);
  }
  std::vector<std::string> list;
  for (ssize_t i = 0; i < len;) {
    std::string n(names.data() + i);
    i += static_cast<ssize_t>(n.size()) + 1;
    if (!starts_with(n, "system.")) list.push_back(std::move(n));
  }
  std::sort(list.begin(), list.end());
  for (const auto& n : list) {
    std::vector<char> value(256);
    ssize_t vlen;
    while ((vlen = ::lgetxattr(path.c_str(), n.c_str(), value.data(), value.size())) < 0 &&
           errno == ERANGE)
      value.resize(value.size() * 4);
    if (vlen < 0) {
      if (errno == ENODATA) continue;  // removed while we looked
      throw_errno("reading extended attribute " + n + " of " + shown);
    }
    archive_entry_xattr_add_entry(e, n.c_str(), value.data(), static_cast<size_t>(vlen));
  }
}

class TreeWriter {
 public:
  TreeWriter(archive* tar, Sink& sink, std::string dir, struct stat skip)
      : tar_(tar), sink_(sink), dir_(std::move(dir)), skip_(skip) {}

  void write_manifest(const std::string& text, const struct stat& st) {
    ArchiveEntryPtr e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    scrub(e.get(), "manifest");
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(text.size()));
    header(e.get(), "manifest");
    if (archive_write_data(tar_, text.data(), text.size()) < 0) fail(sink_, tar_, "writing manifest");
  }

  void write_tree(int dirfd, const std::string& prefix) {
    for (const auto& name : list_dir_at(dirfd, dir_ + "/" + prefix)) {
      std::string path = prefix + name;
      std::string shown = dir_ + "/" + path;
      struct stat st;
      if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        throw_errno("inspecting " + shown);
      if (st.st_dev == skip_.st_dev && st.st_ino == skip_.st_ino) continue;  // our own output
      if (S_ISSOCK(st.st_mode)) continue;  // a tar cannot hold a socket; it is made at run time
      ArchiveEntryPtr e(archive_entry_new());
      archive_entry_copy_stat(e.get(), &st);
      scrub(e.get(), path);
      copy_xattrs(e.get(), "/proc/self/fd/" + std::to_string(dirfd) + "/" + name, shown);
      if (S_ISDIR(st.st_mode)) {
        UniqueFd sub = openat_fd(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        header(e.get(), shown);
        write_tree(sub.get(), path + "/");
      } else if (S_ISREG(st.st_mode)) {
        write_regular(dirfd, name, st, e.get(), path, shown);
      } else {
        if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(e.get(), read_link(dirfd, name, shown).c_str());
        archive_entry_set_size(e.get(), 0);
        header(e.get(), shown);
      }
    }
  }

  void header(archive_entry* e, const std::string& shown) {
    if (archive_write_header(tar_, e) < ARCHIVE_WARN) fail(sink_, tar_, "adding " + shown);
  }

 private:
  // Keeps what the image needs; drops what only describes the build host or the moment.
  static void scrub(archive_entry* e, const std::string& path) {
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_unset_atime(e);
    archive_entry_unset_ctime(e);
    archive_entry_unset_birthtime(e);
    archive_entry_set_ino64(e, 0);
    archive_entry_set_dev(e, 0);
    if (archive_entry_filetype(e) != AE_IFREG) archive_entry_set_nlink(e, 1);
  }

  static std::string read_link(int dirfd, const std::string& name, const std::string& shown) {
    std::string target(256, '\0');
    for (;;) {
      ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
      if (n < 0) throw_errno("reading symlink " + shown);
      if (static_cast<size_t>(n) < target.size()) {
        target.resize(static_cast<size_t>(n));
        return target;
      }
      target.resize(target.size() * 2);
    }
  }

  void write_regular(int dirfd, const std::string& name, const struct stat& st, archive_entry* e,
                     const std::string& path, const std::string& shown) {
    if (st.st_nlink > 1) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto [it, first] = links_.emplace(key, path);
      if (!first) {
        archive_entry_set_hardlink(e, it->second.c_str());
        archive_entry_set_size(e, 0);
        header(e, shown);
        return;
      }
    }
    UniqueFd fd = openat_fd(dirfd, name, O_RDONLY | O_NOFOLLOW);
    header(e, shown);
    std::vector<char> buf(1 << 17);
    uint64_t left = static_cast<uint64_t>(st.st_size);
    while (left > 0) {
      ssize_t n = ::read(fd.get(), buf.data(), std::min<uint64_t>(left, buf.size()));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("reading " + shown);
      }
      if (n == 0) throw Error(shown + " shrank while it was being archived", 0,
                              "build from a tree nothing else is changing");
      if (archive_write_data(tar_, buf.data(), static_cast<size_t>(n)) < 0)
        fail(sink_, tar_, "writing " + shown);
      left -= static_cast<uint64_t>(n);
    }
  }

  archive* tar_;
  Sink& sink_;
  std::string dir_;
  struct stat skip_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // first path of each multi-link file
};

std::string read_manifest(const std::string& dir, struct stat& st) {
  std::string path = path_join(dir, "manifest");
  UniqueFd fd = open_fd(path, O_RDONLY | O_NOFOLLOW);
  if (::fstat(fd.get(), &st) < 0) throw_errno("inspecting " + path);
  if (!S_ISREG(st.st_mode)) throw Error(path + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxManifestSize)
    throw Error(path + " is " + std::to_string(st.st_size) + " bytes, more than the " +
                std::to_string(kMaxManifestSize) + " an ACI manifest may have");
  std::string text = read_all(fd.get(), path);
  with_context("validating " + path, [&] { (void)ImageManifest::parse(text); });
  return text;
}

void publish(const std::string& tmp, const std::string& out, bool overwrite) {
  if (overwrite) {
    if (::rename(tmp.c_str(), out.c_str()) < 0) throw_errno("renaming " + tmp + " to " + out);
    return;
  }
  // RENAME_NOREPLACE: an `out` created meanwhile is never clobbered.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno == EINVAL) {  // the file system lacks RENAME_NOREPLACE: link(2) fails on EEXIST too
    if (::link(tmp.c_str(), out.c_str()) == 0) {
      (void)::unlink(tmp.c_str());  // `out` is in place; the TempPath owner removes it otherwise
      return;
    }
  }
  if (errno == EEXIST) {
    throw Error(out + " already exists", 0, "pass --overwrite to replace it");
  }
  throw_errno("renaming " + tmp + " to " + out);
}

// The file being written. Where the file system supports O_TMPFILE it has no name until
// it is complete, so a kill -9 at any point leaves nothing beside `out`; elsewhere it is
// a named temp file that the TempPath owner removes on errors.
struct OutputFile {
  UniqueFd fd;
  TempPath named;     // set only for the named fallback
  std::string shown;  // how errors name it
};

OutputFile create_output(const std::string& out) {
  OutputFile f;
  int raw = ::open(parent_dir(out).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (raw >= 0) {
    f.fd.reset(raw);
    f.shown = out + " (being written)";
    return f;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    throw_errno("creating a temporary file beside " + out);
  std::string tmpl = out + ".tmp-XXXXXX";
  raw = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (raw < 0) throw_errno("creating a temporary file beside " + out);
  f.fd.reset(raw);
  f.named = TempPath(tmpl);
  f.shown = tmpl;
  return f;
}

// Gives the complete file its name `out`.
void publish_output(OutputFile& f, const std::string& out, bool overwrite) {
  if (!f.named.path().empty()) {
    publish(f.named.path(), out, overwrite);
    (void)f.named.release();  // renamed into place: nothing to remove
    return;
  }
  std::string proc = "/proc/self/fd/" + std::to_string(f.fd.get());
  if (!overwrite) {
    // linkat fails with EEXIST rather than replacing an `out` created meanwhile.
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, out.c_str(), AT_SYMLINK_FOLLOW) == 0) return;
    if (errno == EEXIST) throw Error(out + " already exists", 0, "pass --overwrite to replace it");
    throw_errno("naming " + out);
  }
  // Replacing needs a name to rename from; the window where it exists is this function's.
  std::string tmp = out + ".tmp-" + std::to_string(::getpid());
  (void)::unlink(tmp.c_str());  // a leftover of an earlier process with our pid, if any
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) < 0)
    throw_errno("naming " + tmp);
  TempPath owner(tmp);
  publish(tmp, out, true);
  (void)owner.release();
}

}  // namespace

AciInfo write_aci(const std::string& dir, const std::string& out, const WriteOptions& opts) {
  return with_context("building ACI " + out + " from " + dir, [&] {
    if (!opts.overwrite && path_exists(out)) {
      throw Error(out + " already exists", 0, "pass --overwrite to replace it");
    }
    if (is_directory(out)) throw Error(out + " is a directory", EISDIR);
    AciInfo info;
    info.compression = opts.compression;
    struct stat manifest_st;
    info.manifest_text = read_manifest(dir, manifest_st);
    info.manifest = ImageManifest::parse(info.manifest_text);
    std::string rootfs_path = path_join(dir, "rootfs");
    UniqueFd rootfs = with_context("opening the image tree", [&] { return open_dir(rootfs_path); });

    OutputFile output = create_output(out);
    const UniqueFd& fd = output.fd;
    const std::string& tmpl = output.shown;
    struct stat tmp_st;
    if (::fstat(fd.get(), &tmp_st) < 0) throw_errno("inspecting " + tmpl);

    Sink sink;
    sink.fd = fd.get();
    sink.shown = tmpl;
    ArchiveWritePtr outer(archive_write_new());
    ArchiveWritePtr tar(archive_write_new());
    if (!outer || !tar) throw Error("allocating a libarchive writer", ENOMEM);
    sink.outer = outer.get();
    add_filter(outer.get(), opts.compression);
    if (archive_write_set_format_raw(outer.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(outer.get(), 0) != ARCHIVE_OK ||
        archive_write_open(outer.get(), &sink, nullptr, outer_write, nullptr) != ARCHIVE_OK)
      fail(sink, outer.get(), "opening the " + compression_name(opts.compression) + " stream");
    {
      ArchiveEntryPtr raw(archive_entry_new());
      archive_entry_set_pathname(raw.get(), "aci");
      archive_entry_set_filetype(raw.get(), AE_IFREG);
      if (archive_write_header(outer.get(), raw.get()) != ARCHIVE_OK)
        fail(sink, outer.get(), "starting the compressed stream");
    }
    if (archive_write_set_format_pax_restricted(tar.get()) != ARCHIVE_OK ||
        archive_write_open(tar.get(), &sink, nullptr, inner_write, nullptr) != ARCHIVE_OK)
      fail(sink, tar.get(), "opening the tar stream");

    TreeWriter writer(tar.get(), sink, dir, tmp_st);
    writer.write_manifest(info.manifest_text, manifest_st);
    struct stat root_st;
    if (::fstat(rootfs.get(), &root_st) < 0) throw_errno("inspecting " + rootfs_path);
    {
      ArchiveEntryPtr e(archive_entry_new());
      archive_entry_copy_stat(e.get(), &root_st);
      archive_entry_set_pathname(e.get(), "rootfs");
      archive_entry_unset_atime(e.get());
      archive_entry_unset_ctime(e.get());
      archive_entry_unset_birthtime(e.get());
      archive_entry_set_ino64(e.get(), 0);
      archive_entry_set_dev(e.get(), 0);
      archive_entry_set_nlink(e.get(), 1);
      writer.header(e.get(), rootfs_path);
    }
    writer.write_tree(rootfs.get(), "rootfs/");
    if (archive_write_close(tar.get()) != ARCHIVE_OK) fail(sink, tar.get(), "finishing the tar stream");
    if (archive_write_close(outer.get()) != ARCHIVE_OK)
      fail(sink, outer.get(), "finishing the " + compression_name(opts.compression) + " stream");
    sink.flush();
    if (::fchmod(fd.get(), 0644) < 0) throw_errno("setting the mode of " + tmpl);
    if (::fsync(fd.get()) < 0) throw_errno("syncing " + tmpl);
    publish_output(output, out, opts.overwrite);
    info.image_id = "sha512-" + sink.hash.hex_digest();
    info.uncompressed_size = sink.uncompressed;
    info.compressed_size = sink.compressed;
    return info;
  });
}

}  // namespace pod::aci
