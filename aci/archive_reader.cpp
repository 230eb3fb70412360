// One pass over an ACI: an outer libarchive reader (raw format) undoes the compression,
// an inner one (tar only, no filters) parses entries from the outer's output, and the
// inner's read callback hashes every uncompressed byte on the way, so the image ID, the
// manifest and the extracted tree all come from a single read of the input.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <vector>

#include "aci/archive.hpp"
#include "aci/libarchive_handle.hpp"
#include "aci/safe_extract.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/sha512.hpp"

namespace pod::aci {

namespace {

constexpr size_t kInputBlock = 1 << 18;
constexpr size_t kMagicBytes = 6;  // the longest magic number detect_compression looks at

struct PassState {
  int fd = -1;
  const AciReadOptions* opts = nullptr;
  std::vector<unsigned char> buf = std::vector<unsigned char>(kInputBlock);
  size_t head_len = 0;
  bool head_pending = false;
  bool input_eof = false;
  uint64_t compressed = 0;
  archive* outer = nullptr;
  bool outer_eof = false;
  Sha512 hash;
  uint64_t uncompressed = 0;
  std::exception_ptr error;  // the first failure inside a callback, rethrown by the caller
};

size_t read_some(int fd, unsigned char* buf, size_t cap) {
  for (;;) {
    ssize_t n = ::read(fd, buf, cap);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) throw_errno("reading the input");
  }
}

void consumed(PassState& s, const unsigned char* data, size_t n) {
  if (n == 0) return;
  if (s.opts->raw_sink) s.opts->raw_sink(data, n);
  s.compressed += n;
  if (s.opts->progress) s.opts->progress(s.compressed);
}

la_ssize_t outer_read(archive* a, void* client, const void** out) {
  auto& s = *static_cast<PassState*>(client);
  try {
    size_t n = 0;
    if (s.head_pending) {
      s.head_pending = false;
      n = s.head_len;
    } else if (!s.input_eof) {
      n = read_some(s.fd, s.buf.data(), s.buf.size());
      if (n == 0) s.input_eof = true;
      consumed(s, s.buf.data(), n);
    }
    *out = s.buf.data();
    return static_cast<la_ssize_t>(n);
  } catch (...) {
    if (!s.error) s.error = std::current_exception();
    archive_set_error(a, EIO, "input failed");
    return -1;
  }
}

[[noreturn]] void fail(PassState& s, archive* a, const std::string& doing) {
  if (s.error) std::rethrow_exception(s.error);
  throw Error(doing.empty() ? archive_error_text(a) : doing + ": " + archive_error_text(a));
}

// Hands the next decompressed block to whoever asks (the tar parser or the final drain).
bool next_plain_block(PassState& s, const void*& buf, size_t& size) {
  if (s.outer_eof) return false;
  la_int64_t offset = 0;
  int r = archive_read_data_block(s.outer, &buf, &size, &offset);
  if (r == ARCHIVE_EOF) {
    s.outer_eof = true;
    return false;
  }
  if (r < ARCHIVE_WARN) fail(s, s.outer, "decompressing");
  s.hash.update(buf, size);
  s.uncompressed += size;
  uint64_t max = s.opts->extract.max_uncompressed_size;
  if (max != 0 && s.uncompressed > max)
    throw Error("refused: more than " + std::to_string(max) +
                " bytes uncompressed, the most allowed (max_uncompressed_size)");
  return true;
}

la_ssize_t inner_read(archive* a, void* client, const void** out) {
  auto& s = *static_cast<PassState*>(client);
  try {
    size_t size = 0;
    if (!next_plain_block(s, *out, size)) return 0;
    return static_cast<la_ssize_t>(size);
  } catch (...) {
    if (!s.error) s.error = std::current_exception();
    archive_set_error(a, EIO, "decompression failed");
    return -1;
  }
}

[[noreturn]] void not_a_tar(PassState& s, archive* inner) {
  if (s.error) std::rethrow_exception(s.error);
  Error err("not a tar archive (nor a gzip, bzip2, xz or zstd compressed one): " +
            archive_error_text(inner));
  err.set_hint("an ACI is a tar of \"manifest\" and \"rootfs/\"; pod image build makes one");
  throw err;
}

// Names what the first bytes are when they are a compression the appc spec does not allow.
const char* unsupported_compression(const unsigned char* h, size_t n) {
  auto is = [&](std::initializer_list<unsigned char> m) {
    return n >= m.size() && std::equal(m.begin(), m.end(), h);
  };
  if (is({0x04, 0x22, 0x4d, 0x18})) return "lz4";
  if (is({0x1f, 0x9d})) return "compress (.Z)";
  if (is({'L', 'Z', 'I', 'P'})) return "lzip";
  if (is({0x89, 'L', 'Z', 'O'})) return "lzop";
  if (is({'P', 'K', 0x03, 0x04})) return "zip";
  return nullptr;
}

int expected_filter(Compression c) {
  switch (c) {
    case Compression::none: return ARCHIVE_FILTER_NONE;
    case Compression::gzip: return ARCHIVE_FILTER_GZIP;
    case Compression::bzip2: return ARCHIVE_FILTER_BZIP2;
    case Compression::xz: return ARCHIVE_FILTER_XZ;
    case Compression::zstd: return ARCHIVE_FILTER_ZSTD;
  }
  return ARCHIVE_FILTER_NONE;
}

void enable_filter(archive* a, Compression c) {
  int r = ARCHIVE_OK;
  switch (c) {
    case Compression::none: break;
    case Compression::gzip: r = archive_read_support_filter_gzip(a); break;
    case Compression::bzip2: r = archive_read_support_filter_bzip2(a); break;
    case Compression::xz: r = archive_read_support_filter_xz(a); break;
    case Compression::zstd: r = archive_read_support_filter_zstd(a); break;
  }
  // ARCHIVE_WARN means an external program would do the work: still usable.
  if (r < ARCHIVE_WARN) throw Error("enabling " + compression_name(c) + ": " + archive_error_text(a));
}

AciInfo read_pass(int fd, const AciReadOptions& opts) {
  PassState s;
  s.fd = fd;
  s.opts = &opts;
  while (s.head_len < kMagicBytes && !s.input_eof) {
    size_t n = read_some(fd, s.buf.data() + s.head_len, s.buf.size() - s.head_len);
    if (n == 0) s.input_eof = true;
    consumed(s, s.buf.data() + s.head_len, n);
    s.head_len += n;
  }
  if (s.head_len == 0) throw Error("the input is empty, not an ACI");
  s.head_pending = true;

  AciInfo info;
  info.compression = detect_compression(s.buf.data(), s.head_len);
  if (info.compression == Compression::none) {
    if (const char* what = unsupported_compression(s.buf.data(), s.head_len)) {
      Error e(std::string("refused: compressed with ") + what + ", which ACIs may not use");
      e.set_hint("recompress the tar with gzip, bzip2, xz or zstd (or leave it uncompressed)");
      throw e;
    }
  }

  ArchiveReadPtr outer(archive_read_new());
  ArchiveReadPtr inner(archive_read_new());
  if (!outer || !inner) throw Error("allocating a libarchive reader", ENOMEM);
  s.outer = outer.get();
  enable_filter(outer.get(), info.compression);
  if (archive_read_support_format_raw(outer.get()) != ARCHIVE_OK ||
      archive_read_open(outer.get(), &s, nullptr, outer_read, nullptr) != ARCHIVE_OK)
    fail(s, outer.get(), "opening the " + compression_name(info.compression) + " stream");
  archive_entry* raw_entry = nullptr;
  if (archive_read_next_header(outer.get(), &raw_entry) != ARCHIVE_OK)
    fail(s, outer.get(), "decompressing " + compression_name(info.compression));
  if (archive_filter_code(outer.get(), 0) != expected_filter(info.compression))
    throw Error("the content starts like " + compression_name(info.compression) +
                " but is not " + compression_name(info.compression) + " data");

  if (archive_read_support_format_tar(inner.get()) != ARCHIVE_OK)
    fail(s, inner.get(), "setting up the tar reader");
  if (archive_read_open(inner.get(), &s, nullptr, inner_read, nullptr) != ARCHIVE_OK)
    not_a_tar(s, inner.get());

  SafeExtractor extractor(opts.manifest_only ? -1 : opts.extract_dirfd, opts.extract);
  auto read_block = [&](const void*& buf, size_t& size, int64_t& offset) {
    la_int64_t off = 0;
    int r = archive_read_data_block(inner.get(), &buf, &size, &off);
    if (r == ARCHIVE_EOF) return false;
    if (r < ARCHIVE_WARN) fail(s, inner.get(), "");
    offset = off;
    return true;
  };
  for (bool first = true;; first = false) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(inner.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      if (first) not_a_tar(s, inner.get());
      fail(s, inner.get(), "reading the tar stream");
    }
    const char* name = archive_entry_pathname(e);
    with_context(std::string("entry \"") + (name ? name : "?") + "\"", [&] {
      uint64_t max = opts.extract.max_uncompressed_size;
      if (max != 0 && archive_entry_size_is_set(e) &&
          static_cast<uint64_t>(archive_entry_size(e)) > max)
        throw Error("refused: it declares " + std::to_string(archive_entry_size(e)) +
                    " bytes, more than the " + std::to_string(max) +
                    " allowed (max_uncompressed_size)");
      extractor.add(e, read_block);
    });
    if (opts.manifest_only && extractor.has_manifest()) {
      info.manifest = extractor.manifest();
      info.manifest_text = extractor.finish();
      info.compressed_size = s.compressed;
      return info;
    }
  }
  // The image ID covers the whole tar stream, end-of-archive blocks and padding included.
  const void* rest = nullptr;
  size_t rest_size = 0;
  while (next_plain_block(s, rest, rest_size)) {
  }
  // And the store's copy covers the whole input, even bytes after the compressed stream.
  while (!s.input_eof) {
    size_t n = read_some(fd, s.buf.data(), s.buf.size());
    if (n == 0) s.input_eof = true;
    consumed(s, s.buf.data(), n);
  }
  info.manifest_text = extractor.finish();
  info.manifest = extractor.manifest();
  info.image_id = "sha512-" + s.hash.hex_digest();
  info.uncompressed_size = s.uncompressed;
  info.compressed_size = s.compressed;
  info.skipped_device_nodes = extractor.skipped_device_nodes();
  return info;
}

}  // namespace

AciInfo read_aci(int fd, const std::string& source, const AciReadOptions& opts) {
  return with_context("reading ACI " + source, [&] { return read_pass(fd, opts); });
}

AciInfo read_aci_file(const std::string& path, const AciReadOptions& opts) {
  return with_context("reading ACI " + path, [&] {
    UniqueFd fd = open_fd(path, O_RDONLY);
    return read_pass(fd.get(), opts);
  });
}

}  // namespace pod::aci
