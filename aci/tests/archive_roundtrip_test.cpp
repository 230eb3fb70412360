// write_aci -> read_aci: every compression, detection from content, deterministic output,
// and the image ID being the SHA-512 of the uncompressed tar.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <thread>

#include "aci/archive.hpp"
#include "aci/tests/archive_fixture.hpp"
#include "aci/tests/tar_builder.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/sha512.hpp"

using namespace pod;
using namespace pod::aci;
using namespace pod::aci::testing;

namespace {

// DIR/manifest and DIR/rootfs with one of each kind of file a tar can hold.
void make_image_dir(const std::string& dir) {
  make_dirs(dir + "/rootfs/bin");
  make_dirs(dir + "/rootfs/etc/empty");
  write_file_atomic(dir + "/manifest", minimal_manifest("example.com/round-trip"));
  write_file_atomic(dir + "/rootfs/bin/tool", std::string(300000, 'z') + "end", 0755);
  write_file_atomic(dir + "/rootfs/etc/config", "key=value\n", 0600);
  write_file_atomic(dir + "/rootfs/empty-file", "", 0644);
  REQUIRE(::symlink("tool", (dir + "/rootfs/bin/sh").c_str()) == 0);
  REQUIRE(::symlink("/does/not/exist", (dir + "/rootfs/dangling").c_str()) == 0);
  REQUIRE(::link((dir + "/rootfs/bin/tool").c_str(), (dir + "/rootfs/bin/tool-link").c_str()) == 0);
  REQUIRE(::mkfifo((dir + "/rootfs/fifo").c_str(), 0600) == 0);
  // Longer than ustar's 100-byte name field, and not ASCII: pax records carry them.
  make_dirs(dir + "/rootfs/" + std::string(120, 'd'));
  write_file_atomic(dir + "/rootfs/" + std::string(120, 'd') + "/caf\xc3\xa9-" + std::string(150, 'n'), "long");
  if (::geteuid() == 0) {
    make_dirs(dir + "/rootfs/dev");
    REQUIRE(::mknod((dir + "/rootfs/dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    REQUIRE(::chown((dir + "/rootfs/etc/config").c_str(), 1234, 5678) == 0);
  }
  struct timespec ts[2] = {{1600000000, 0}, {1600000000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (dir + "/rootfs/etc/config").c_str(), ts, 0) == 0);
}

std::string head_of(const std::string& path) { return read_file(path).substr(0, 8); }

}  // namespace

TEST_CASE("compression is detected from magic bytes") {
  auto detect = [](std::string s) {
    return detect_compression(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  CHECK(detect("\x1f\x8b\x08") == Compression::gzip);
  CHECK(detect("BZh91AY") == Compression::bzip2);
  CHECK(detect(std::string("\xfd" "7zXZ\0", 6)) == Compression::xz);
  CHECK(detect("\x28\xb5\x2f\xfd") == Compression::zstd);
  CHECK(detect("manifest") == Compression::none);
  CHECK(detect(std::string("\xfd" "7zX", 4)) == Compression::none);
  CHECK(detect("") == Compression::none);
  CHECK(parse_compression("xz") == Compression::xz);
  CHECK(compression_name(Compression::zstd) == "zstd");
  CHECK_THROWS_AS((void)parse_compression("lz4"), UsageError);
}

TEST_CASE("build then read gives the same tree and image ID for every compression") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_image_dir(dir);
  std::string first_id;
  for (Compression c : {Compression::none, Compression::gzip, Compression::bzip2, Compression::xz,
                        Compression::zstd}) {
    CAPTURE(compression_name(c));
    // A misleading name: detection must look at the content.
    std::string out = fx.root.path() + "/image-" + compression_name(c) + ".tar.lz4";
    AciInfo written = write_aci(dir, out, {c, false});
    std::string head = head_of(out);
    CHECK(detect_compression(reinterpret_cast<const unsigned char*>(head.data()), head.size()) == c);

    std::string target = fx.root.path() + "/x-" + compression_name(c);
    make_dirs(target);
    UniqueFd tfd = open_dir(target);
    AciReadOptions opts;
    opts.extract_dirfd = tfd.get();
    std::string raw;
    opts.raw_sink = [&](const void* p, size_t n) { raw.append(static_cast<const char*>(p), n); };
    AciInfo read = read_aci_file(out, opts);
    CHECK(read.image_id == written.image_id);
    CHECK(read.compression == c);
    CHECK(read.uncompressed_size == written.uncompressed_size);
    CHECK(read.compressed_size == written.compressed_size);
    CHECK(raw == read_file(out));
    CHECK(read.manifest.name == "example.com/round-trip");
    // The image ID covers the uncompressed tar, so it does not depend on the compression.
    if (first_id.empty()) first_id = written.image_id;
    CHECK(written.image_id == first_id);
    if (c == Compression::none) CHECK(written.image_id == "sha512-" + sha512_file_hex(out));

    CHECK(read_file(target + "/manifest") == read_file(dir + "/manifest"));
    CHECK(read_file(target + "/rootfs/bin/tool") == read_file(dir + "/rootfs/bin/tool"));
    struct stat a, b, c2;
    REQUIRE(::lstat((target + "/rootfs/bin/tool").c_str(), &a) == 0);
    REQUIRE(::lstat((target + "/rootfs/bin/tool-link").c_str(), &b) == 0);
    CHECK(a.st_ino == b.st_ino);
    CHECK((a.st_mode & 07777) == 0755);
    REQUIRE(::lstat((target + "/rootfs/etc/config").c_str(), &c2) == 0);
    CHECK((c2.st_mode & 07777) == 0600);
    CHECK(c2.st_mtime == 1600000000);
    char link[64] = {};
    CHECK(::readlink((target + "/rootfs/bin/sh").c_str(), link, sizeof link - 1) == 4);
    CHECK(std::string(link) == "tool");
    REQUIRE(::lstat((target + "/rootfs/dangling").c_str(), &a) == 0);
    CHECK(S_ISLNK(a.st_mode));
    REQUIRE(::lstat((target + "/rootfs/fifo").c_str(), &a) == 0);
    CHECK(S_ISFIFO(a.st_mode));
    CHECK(is_directory(target + "/rootfs/etc/empty"));
    CHECK(read_file(target + "/rootfs/empty-file").empty());
    CHECK(read_file(target + "/rootfs/" + std::string(120, 'd') + "/caf\xc3\xa9-" + std::string(150, 'n')) == "long");
    if (::geteuid() == 0) {
      REQUIRE(::lstat((target + "/rootfs/dev/null").c_str(), &a) == 0);
      CHECK(S_ISCHR(a.st_mode));
      CHECK(a.st_rdev == makedev(1, 3));
      CHECK(c2.st_uid == 1234);
      CHECK(c2.st_gid == 5678);
    }
  }
}

TEST_CASE("the same tree gives the same bytes") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_image_dir(dir);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    AciInfo one = write_aci(dir, fx.root.path() + "/one.aci", {c, true});
    AciInfo two = write_aci(dir, fx.root.path() + "/two.aci", {c, true});
    CHECK(one.image_id == two.image_id);
    CHECK(read_file(fx.root.path() + "/one.aci") == read_file(fx.root.path() + "/two.aci"));
  }
}

TEST_CASE("write_aci refuses to overwrite unless asked, and leaves no temp file") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_image_dir(dir);
  std::string out = fx.root.path() + "/out.aci";
  write_file_atomic(out, "old");
  try {
    (void)write_aci(dir, out, {Compression::gzip, false});
    FAIL("overwrote without being asked");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(out + " already exists") != std::string::npos);
    CHECK(e.hint().find("--overwrite") != std::string::npos);
  }
  CHECK(read_file(out) == "old");
  (void)write_aci(dir, out, {Compression::gzip, true});
  CHECK(read_file(out) != "old");
  for (const auto& n : list_dir(fx.root.path())) CHECK(n.find(".tmp-") == std::string::npos);
}

TEST_CASE("write_aci validates the manifest first and names the file") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_image_dir(dir);
  write_file_atomic(dir + "/manifest", R"({"acKind":"ImageManifest","acVersion":"0.8.11"})");
  std::string out = fx.root.path() + "/bad.aci";
  try {
    (void)write_aci(dir, out, {Compression::gzip, false});
    FAIL("accepted a manifest without a name");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(dir + "/manifest") != std::string::npos);
    CHECK(std::string(e.what()).find("name") != std::string::npos);
  }
  CHECK_FALSE(path_exists(out));
  SUBCASE("a missing rootfs is named") {
    write_file_atomic(dir + "/manifest", minimal_manifest());
    remove_tree(dir + "/rootfs");
    CHECK_THROWS_WITH_AS((void)write_aci(dir, out, {Compression::gzip, false}),
                         doctest::Contains("rootfs"), Error);
  }
}

TEST_CASE("manifest_only stops after the manifest") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_image_dir(dir);
  std::string out = fx.root.path() + "/m.aci";
  (void)write_aci(dir, out, {Compression::xz, false});
  AciReadOptions opts;
  opts.manifest_only = true;
  AciInfo info = read_aci_file(out, opts);
  CHECK(info.manifest.name == "example.com/round-trip");
  CHECK(info.manifest_text == read_file(dir + "/manifest"));
  CHECK(info.image_id.empty());
}

TEST_CASE("the image ID covers the end-of-archive padding") {
  TarBuilder t;
  t.manifest().file("rootfs/a", "a");
  std::string tar = t.finish();
  ArchiveFixture fx;
  write_file_atomic(fx.aci, tar + std::string(1024, '\0'));
  AciInfo info = read_aci_file(fx.aci);
  CHECK(info.image_id == "sha512-" + sha512_hex(tar + std::string(1024, '\0')));
  CHECK(info.uncompressed_size == tar.size() + 1024);
}

TEST_CASE("extended attributes survive build and extraction, file capabilities included") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_dirs(dir + "/rootfs/bin");
  write_file_atomic(dir + "/manifest", minimal_manifest());
  std::string ping = dir + "/rootfs/bin/ping";
  write_file_atomic(ping, "binary", 0755);
  if (::setxattr(ping.c_str(), "user.pod.note", "kept", 4, 0) < 0) return;  // no xattrs here
  // VFS_CAP_REVISION_2 with the effective flag, permitting CAP_NET_RAW (13).
  const unsigned char cap[20] = {0x01, 0, 0, 0x02, 0, 0x20, 0, 0};
  bool caps = ::geteuid() == 0 && ::setxattr(ping.c_str(), "security.capability", cap, sizeof cap, 0) == 0;
  std::string out = fx.root.path() + "/x.aci";
  (void)write_aci(dir, out, {Compression::zstd, false});
  UniqueFd tfd = open_dir(fx.target);
  AciReadOptions opts;
  opts.extract_dirfd = tfd.get();
  (void)read_aci_file(out, opts);
  std::string got = fx.target + "/rootfs/bin/ping";
  char value[64] = {};
  CHECK(::getxattr(got.c_str(), "user.pod.note", value, sizeof value) == 4);
  CHECK(std::string(value, 4) == "kept");
  if (caps) {
    unsigned char back[20] = {};
    // Restored after the owner: chown(2) would have cleared it.
    CHECK(::getxattr(got.c_str(), "security.capability", back, sizeof back) == 20);
    CHECK(std::equal(std::begin(cap), std::end(cap), std::begin(back)));
  }
}

TEST_CASE("read_aci streams from a pipe and reports progress up to the whole input") {
  ArchiveFixture fx;
  std::string dir = fx.root.path() + "/src";
  make_image_dir(dir);
  std::string out = fx.root.path() + "/p.aci";
  AciInfo written = write_aci(dir, out, {Compression::bzip2, false});
  std::string bytes = read_file(out);
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  UniqueFd rd(fds[0]);
  UniqueFd wr(fds[1]);
  std::thread feeder([&] {
    // Small writes, so the reader sees partial reads, even of the magic bytes.
    for (size_t i = 0; i < bytes.size(); i += 3000)
      write_all(wr.get(), std::string_view(bytes).substr(i, 3000), "pipe");
    wr.reset();
  });
  AciReadOptions opts;
  uint64_t last = 0;
  bool monotonic = true;
  opts.progress = [&](uint64_t n) {
    monotonic = monotonic && n >= last;
    last = n;
  };
  AciInfo info;
  try {
    info = read_aci(rd.get(), "a pipe", opts);
  } catch (...) {
    (void)read_all(rd.get(), "pipe");  // lets the feeder finish, so join() cannot hang
    feeder.join();
    throw;
  }
  feeder.join();
  CHECK(info.image_id == written.image_id);
  CHECK(info.compression == Compression::bzip2);
  CHECK(monotonic);
  CHECK(last == bytes.size());
}
