// Importing one OCI layer: a single pass over the blob (hash and count the bytes as read,
// decompress once, hash the tar, extract it with the ACI extraction rules), whiteouts
// turned into overlayfs's form, then the tree renamed into place under cas/layer/.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "aci/archive.hpp"
#include "aci/libarchive_handle.hpp"
#include "aci/open_beneath.hpp"
#include "aci/safe_extract.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "oci/digest.hpp"
#include "oci/whiteout.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/workspace.hpp"

namespace pod::store {

namespace {

constexpr size_t kBlock = 1 << 18;
// SafeExtractor wants an ACI's manifest; a layer has none, so it is handed this one.
constexpr std::string_view kLayerManifest =
    R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"oci-layer"})";

struct LayerPass {
  int fd = -1;
  std::vector<unsigned char> buf = std::vector<unsigned char>(kBlock);
  oci::Sha256 compressed_hash;
  oci::Sha256 plain_hash;
  uint64_t compressed = 0;
  uint64_t plain = 0;
  uint64_t max_plain = 0;
  uint64_t expected_size = 0;
  bool eof = false;
  archive* outer = nullptr;
  bool outer_eof = false;
  const std::function<void(uint64_t)>* progress = nullptr;
  std::exception_ptr error;
};

la_ssize_t outer_read(archive* a, void* client, const void** out) {
  auto& s = *static_cast<LayerPass*>(client);
  try {
    if (s.eof) return 0;
    ssize_t n;
    do n = ::read(s.fd, s.buf.data(), s.buf.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("reading the layer");
    if (n == 0) s.eof = true;
    s.compressed_hash.update(s.buf.data(), static_cast<size_t>(n));
    s.compressed += static_cast<uint64_t>(n);
    // Refused as soon as it is longer than the manifest says, not after reading it all.
    if (s.compressed > s.expected_size)
      throw Error("refused: the blob is longer than the " + std::to_string(s.expected_size) +
                  " bytes its manifest gives");
    if (s.progress && *s.progress) (*s.progress)(s.compressed);
    *out = s.buf.data();
    return n;
  } catch (...) {
    if (!s.error) s.error = std::current_exception();
    archive_set_error(a, EIO, "input failed");
    return -1;
  }
}

bool next_plain(LayerPass& s, const void*& buf, size_t& size) {
  if (s.outer_eof) return false;
  la_int64_t off = 0;
  int r = archive_read_data_block(s.outer, &buf, &size, &off);
  if (r == ARCHIVE_EOF) {
    s.outer_eof = true;
    return false;
  }
  if (r < ARCHIVE_WARN) {
    if (s.error) std::rethrow_exception(s.error);
    throw Error("decompressing: " + aci::archive_error_text(s.outer));
  }
  s.plain_hash.update(buf, size);
  s.plain += size;
  if (s.max_plain != 0 && s.plain > s.max_plain)
    throw Error("refused: more than " + std::to_string(s.max_plain) +
                " bytes uncompressed, the most allowed");
  return true;
}

la_ssize_t inner_read(archive* a, void* client, const void** out) {
  auto& s = *static_cast<LayerPass*>(client);
  try {
    size_t size = 0;
    if (!next_plain(s, *out, size)) return 0;
    return static_cast<la_ssize_t>(size);
  } catch (...) {
    if (!s.error) s.error = std::current_exception();
    archive_set_error(a, EIO, "decompression failed");
    return -1;
  }
}

[[noreturn]] void fail(LayerPass& s, archive* a, const std::string& doing) {
  if (s.error) std::rethrow_exception(s.error);
  throw Error(doing + ": " + aci::archive_error_text(a));
}

struct Whiteouts {
  std::vector<std::pair<std::string, std::string>> deleted;  // dir, name
  std::vector<std::string> opaque;                           // dirs
};

void hand_manifest(aci::SafeExtractor& ex) {
  aci::ArchiveEntryPtr e(archive_entry_new());
  archive_entry_set_pathname(e.get(), "manifest");
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(kLayerManifest.size()));
  bool given = false;
  ex.add(e.get(), [&](const void*& buf, size_t& size, int64_t& offset) {
    if (given) return false;
    given = true;
    buf = kLayerManifest.data();
    size = kLayerManifest.size();
    offset = 0;
    return true;
  });
}

// Reads the whole blob, extracting the tar into rootfs_fd; returns the whiteouts seen.
Whiteouts extract_pass(LayerPass& s, int rootfs_fd) {
  unsigned char head[8] = {};
  ssize_t hn = ::pread(s.fd, head, sizeof head, 0);
  aci::Compression comp =
      aci::detect_compression(head, hn > 0 ? static_cast<size_t>(hn) : 0);
  if (comp == aci::Compression::bzip2 || comp == aci::Compression::xz)
    throw Error("refused: the layer is " + aci::compression_name(comp) +
                "-compressed; OCI layers are tar, gzip or zstd");
  aci::ArchiveReadPtr outer(archive_read_new());
  aci::ArchiveReadPtr inner(archive_read_new());
  if (!outer || !inner) throw Error("allocating a libarchive reader", ENOMEM);
  s.outer = outer.get();
  if (comp == aci::Compression::gzip) (void)archive_read_support_filter_gzip(outer.get());
  if (comp == aci::Compression::zstd) (void)archive_read_support_filter_zstd(outer.get());
  if (archive_read_support_format_raw(outer.get()) != ARCHIVE_OK ||
      archive_read_open(outer.get(), &s, nullptr, outer_read, nullptr) != ARCHIVE_OK)
    fail(s, outer.get(), "opening the layer");
  archive_entry* raw = nullptr;
  if (archive_read_next_header(outer.get(), &raw) != ARCHIVE_OK)
    fail(s, outer.get(), "decompressing the layer");
  if (archive_read_support_format_tar(inner.get()) != ARCHIVE_OK ||
      archive_read_open(inner.get(), &s, nullptr, inner_read, nullptr) != ARCHIVE_OK)
    fail(s, inner.get(), "the layer is not a tar archive");

  aci::ExtractOptions eo;
  eo.rootfs_only = true;
  eo.max_uncompressed_size = s.max_plain;
  aci::SafeExtractor ex(rootfs_fd, eo);
  hand_manifest(ex);
  Whiteouts w;
  auto read_block = [&](const void*& buf, size_t& size, int64_t& offset) {
    la_int64_t off = 0;
    int r = archive_read_data_block(inner.get(), &buf, &size, &off);
    if (r == ARCHIVE_EOF) return false;
    if (r < ARCHIVE_WARN) fail(s, inner.get(), "reading the tar stream");
    offset = off;
    return true;
  };
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(inner.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) fail(s, inner.get(), "reading the tar stream");
    const char* name = archive_entry_pathname(e);
    std::string n = name ? name : "";
    with_context("entry \"" + n + "\"", [&] {
      oci::EntryClass c = oci::classify_entry(n);
      // Checked like any entry name (no "..", not absolute) before it is acted on.
      if (!c.dir.empty()) (void)aci::classify_entry_path("rootfs/" + c.dir);
      if (c.kind == oci::EntryKind::whiteout) {
        w.deleted.emplace_back(c.dir, c.target);
        return;
      }
      if (c.kind == oci::EntryKind::opaque) {
        w.opaque.push_back(c.dir);
        return;
      }
      archive_entry_set_pathname(e, ("rootfs/" + n).c_str());
      if (const char* hl = archive_entry_hardlink(e))
        archive_entry_set_hardlink(e, ("rootfs/" + std::string(hl)).c_str());
      ex.add(e, read_block);
    });
  }
  const void* rest = nullptr;
  size_t rest_size = 0;
  while (next_plain(s, rest, rest_size)) {
  }
  // The blob's digest covers every byte, even any after the compressed stream.
  while (!s.eof) {
    const void* ignored = nullptr;
    if (outer_read(outer.get(), &s, &ignored) < 0) fail(s, outer.get(), "reading the layer");
  }
  (void)ex.finish();
  return w;
}

void apply_whiteouts(int rootfs_fd, const Whiteouts& w) {
  for (const auto& dir : w.opaque) {
    with_context("making " + (dir.empty() ? std::string("/") : dir) + " opaque", [&] {
      UniqueFd d = aci::open_dir_beneath(rootfs_fd, dir, true);
      if (::fsetxattr(d.get(), oci::kOverlayOpaqueXattr, "y", 1, 0) < 0)
        throw_errno(std::string("setting ") + oci::kOverlayOpaqueXattr);
    });
  }
  for (const auto& entry : w.deleted) {
    const std::string& dir = entry.first;
    const std::string& name = entry.second;
    std::string shown = dir.empty() ? name : dir + "/" + name;
    with_context("whiteout of " + shown, [&] {
      UniqueFd d = aci::open_dir_beneath(rootfs_fd, dir, true);
      remove_tree_at(d.get(), name);
      if (::mknodat(d.get(), name.c_str(), S_IFCHR | 0000, makedev(0, 0)) < 0)
        throw_errno("creating the overlay whiteout (needs root)");
    });
  }
}

}  // namespace

bool Store::has_layer(const std::string& diff_id) const {
  auto st = db_->sql.prepare("SELECT 1 FROM oci_layers WHERE diff_id=?1");
  st.bind(1, diff_id);
  return st.step() && path_exists(db_->layout.layer(diff_id));
}

std::string Store::layer_rootfs(const std::string& diff_id) const {
  return db_->layout.layer(diff_id) + "/rootfs";
}

FileLock Store::hold_layers() const {
  make_dirs(db_->layout.locks(), 0700);
  return FileLock::acquire(db_->layout.layers_lock(), LockMode::shared, true);
}

void Store::import_layer(int fd, const OciLayerInput& layer, const ImportOptions& opts) {
  with_context("importing layer " + layer.digest, [&] {
    const Layout& layout = db_->layout;
    std::string final_dir = layout.layer(layer.diff_id);
    (void)oci::parse_digest(layer.digest, "layer digest");
    if (has_layer(layer.diff_id)) {
      log_.debug("layer " + layer.diff_id + " is already stored");
      return;
    }
    Workspace ws = make_workspace(layout, "layer-");
    std::string tmp = ws.path() + "/layer";
    make_dirs(tmp + "/rootfs", 0755);
    UniqueFd rootfs = open_fd(tmp + "/rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    LayerPass s;
    s.fd = fd;
    s.expected_size = layer.size;
    s.max_plain = opts.max_uncompressed_size;
    s.progress = &opts.progress;
    Whiteouts w;
    std::optional<Error> broken;
    try {
      w = extract_pass(s, rootfs.get());
    } catch (const Error& e) {
      // A damaged blob often fails to decompress before its digest can be compared: read
      // the rest, so a tampered blob is reported as such and not as a decompression error.
      broken = e;
      char buf[1 << 16];
      for (ssize_t n; s.compressed <= s.expected_size && (n = ::read(fd, buf, sizeof buf)) > 0;) {
        s.compressed_hash.update(buf, static_cast<size_t>(n));
        s.compressed += static_cast<uint64_t>(n);
      }
    }
    std::string got = s.compressed_hash.digest();
    if (s.compressed != layer.size || got != layer.digest)
      throw Error("refused: the blob has " + std::to_string(s.compressed) + " bytes hashing to " +
                      got + ", not the " + std::to_string(layer.size) + " bytes of " +
                      layer.digest + " its manifest names; nothing was stored",
                  0, "the registry or the file is damaged or was tampered with");
    if (broken) throw *broken;
    std::string diff = s.plain_hash.digest();
    if (diff != layer.diff_id)
      throw Error("refused: the uncompressed layer hashes to " + diff + ", not " + layer.diff_id +
                      " as the image configuration says; nothing was stored",
                  0, "the image is damaged or was tampered with");
    apply_whiteouts(rootfs.get(), w);
    if (::syncfs(rootfs.get()) < 0) throw_errno("syncing the file system of " + tmp);
    rootfs.reset();
    make_dirs(layout.layers(), 0700);
    FileLock mutating = FileLock::acquire(layout.store_lock(), LockMode::exclusive, true);
    if (!path_exists(final_dir)) {
      if (::rename(tmp.c_str(), final_dir.c_str()) < 0)
        throw_errno("moving the layer into place at " + final_dir);
      sync_dir(layout.layers());
    }
    db_->sql
        .prepare(
            "INSERT OR IGNORE INTO oci_layers(diff_id, digest, size, uncompressed_size, "
            "import_time) VALUES(?1,?2,?3,?4,?5)")
        .bind(1, layer.diff_id)
        .bind(2, layer.digest)
        .bind(3, static_cast<int64_t>(layer.size))
        .bind(4, static_cast<int64_t>(s.plain))
        .bind(5, unix_now())
        .run();
    log_.debug("stored layer " + layer.diff_id + " (" + std::to_string(s.plain) + " bytes)");
  });
}

}  // namespace pod::store
