// Hostile ACIs: every attack must be refused (naming the archive and the entry) or
// neutralised, and nothing may appear outside the target directory.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <grp.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "aci/archive.hpp"
#include "aci/tests/archive_fixture.hpp"
#include "aci/tests/tar_builder.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"

using namespace pod;
using namespace pod::aci;
using namespace pod::aci::testing;

namespace {

// Runs the extraction expecting a refusal; returns the message.
std::string refusal(ArchiveFixture& fx, const std::string& bytes, ExtractOptions opts = {}) {
  try {
    (void)fx.extract(bytes, opts);
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("reading ACI " + fx.aci) != std::string::npos);
    return msg;
  }
  FAIL("the archive was accepted");
  return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("paths with .. are refused") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().dir("rootfs").file("rootfs/../../outside/evil", "x");
  std::string msg = refusal(fx, t.finish());
  CHECK(contains(msg, "entry \"rootfs/../../outside/evil\""));
  CHECK(contains(msg, ".."));
  CHECK(fx.outside_empty());
}

TEST_CASE("absolute paths are refused") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().file(fx.outside + "/evil", "x");
  std::string msg = refusal(fx, t.finish());
  CHECK(contains(msg, "absolute"));
  CHECK(contains(msg, fx.outside + "/evil"));
  CHECK(fx.outside_empty());
}

TEST_CASE("entries outside manifest and rootfs/ are refused") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().file("etc/passwd", "root::0:0::/:/bin/sh\n");
  CHECK(contains(refusal(fx, t.finish()), "entry \"etc/passwd\""));
  CHECK_FALSE(fx.exists("etc"));
}

TEST_CASE("a file through an escaping symlink is refused, the symlink itself is kept") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().dir("rootfs").symlink("rootfs/link", fx.outside).file("rootfs/link/evil", "x");
  std::string msg = refusal(fx, t.finish());
  CHECK(contains(msg, "entry \"rootfs/link/evil\""));
  CHECK(contains(msg, "symlink"));
  CHECK(fx.outside_empty());
  CHECK(S_ISLNK(fx.lstat_of("rootfs/link").st_mode));
}

TEST_CASE("a file through a relative symlinked directory is refused") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().dir("rootfs").dir("rootfs/a").symlink("rootfs/a/up", "../../../outside");
  t.file("rootfs/a/up/evil", "x");
  CHECK(contains(refusal(fx, t.finish()), "entry \"rootfs/a/up/evil\""));
  CHECK(fx.outside_empty());
}

TEST_CASE("a symlink replacing a directory does not let later entries through it") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().dir("rootfs/d").file("rootfs/d/f", "1").symlink("rootfs/d", fx.outside);
  t.file("rootfs/d/g", "2");
  CHECK(contains(refusal(fx, t.finish()), "entry \"rootfs/d/g\""));
  CHECK(fx.outside_empty());
}

TEST_CASE("a regular file replacing a symlink is written in the tree, not through the link") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().symlink("rootfs/x", fx.outside + "/evil").file("rootfs/x", "content");
  (void)fx.extract(t.finish());
  CHECK(fx.outside_empty());
  CHECK(S_ISREG(fx.lstat_of("rootfs/x").st_mode));
  CHECK(read_file(fx.target + "/rootfs/x") == "content");
}

TEST_CASE("hardlinks out of the tree are refused") {
  ArchiveFixture fx;
  std::string secret = fx.root.path() + "/secret";
  write_file_atomic(secret, "secret");
  SUBCASE("relative with ..") {
    TarBuilder t;
    t.manifest().hardlink("rootfs/h", "rootfs/../../secret");
    CHECK(contains(refusal(fx, t.finish()), "entry \"rootfs/h\""));
  }
  SUBCASE("absolute") {
    TarBuilder t;
    t.manifest().hardlink("rootfs/h", secret);
    CHECK(contains(refusal(fx, t.finish()), "absolute"));
  }
  SUBCASE("to the manifest") {
    TarBuilder t;
    t.manifest().hardlink("rootfs/h", "manifest");
    CHECK(contains(refusal(fx, t.finish()), "not in rootfs/"));
  }
  struct stat st;
  REQUIRE(::stat(secret.c_str(), &st) == 0);
  CHECK(st.st_nlink == 1);
  CHECK_FALSE(fx.exists("rootfs/h"));
  CHECK(fx.outside_empty());
}

TEST_CASE("hardlinks to a symlink or to something not extracted yet are refused") {
  ArchiveFixture fx;
  SUBCASE("to a symlink") {
    TarBuilder t;
    t.manifest().symlink("rootfs/l", "/etc/shadow").hardlink("rootfs/h", "rootfs/l");
    CHECK(contains(refusal(fx, t.finish()), "not a regular file"));
  }
  SUBCASE("to a later entry") {
    TarBuilder t;
    t.manifest().hardlink("rootfs/h", "rootfs/later").file("rootfs/later", "x");
    CHECK(contains(refusal(fx, t.finish()), "not a regular file extracted earlier"));
  }
  SUBCASE("to a directory") {
    TarBuilder t;
    t.manifest().dir("rootfs/d").hardlink("rootfs/h", "rootfs/d");
    CHECK(contains(refusal(fx, t.finish()), "entry \"rootfs/h\""));
  }
  CHECK_FALSE(fx.exists("rootfs/h"));
}

TEST_CASE("hardlinks to earlier regular files are made") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().file("rootfs/a", "data").hardlink("rootfs/b", "rootfs/a");
  (void)fx.extract(t.finish());
  CHECK(fx.lstat_of("rootfs/a").st_ino == fx.lstat_of("rootfs/b").st_ino);
  CHECK(fx.lstat_of("rootfs/a").st_nlink == 2);
}

TEST_CASE("device nodes are skipped unless allowed and root") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().device("rootfs/null", AE_IFCHR, 1, 3).device("rootfs/sda", AE_IFBLK, 8, 0);
  std::string bytes = t.finish();
  SUBCASE("not allowed") {
    ExtractOptions opts;
    opts.allow_device_nodes = false;
    AciInfo info = fx.extract(bytes, opts);
    CHECK(info.skipped_device_nodes == 2);
    CHECK_FALSE(fx.exists("rootfs/null"));
    CHECK_FALSE(fx.exists("rootfs/sda"));
  }
  SUBCASE("allowed") {
    AciInfo info = fx.extract(bytes);
    if (::geteuid() == 0) {
      CHECK(info.skipped_device_nodes == 0);
      CHECK(S_ISCHR(fx.lstat_of("rootfs/null").st_mode));
      CHECK(fx.lstat_of("rootfs/null").st_rdev == makedev(1, 3));
      CHECK(S_ISBLK(fx.lstat_of("rootfs/sda").st_mode));
    } else {
      CHECK(info.skipped_device_nodes == 2);
      CHECK_FALSE(fx.exists("rootfs/null"));
    }
  }
}

TEST_CASE("fifos are created") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().fifo("rootfs/pipe");
  (void)fx.extract(t.finish());
  CHECK(S_ISFIFO(fx.lstat_of("rootfs/pipe").st_mode));
}

TEST_CASE("huge declared sizes are refused against max_uncompressed_size") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().raw_header("rootfs/huge", 077777777777ULL, std::string(1024, 'x'));
  std::string bytes = t.finish();
  ExtractOptions opts;
  opts.max_uncompressed_size = 1 << 20;
  std::string msg = refusal(fx, bytes, opts);
  CHECK(contains(msg, "entry \"rootfs/huge\""));
  CHECK(contains(msg, "max_uncompressed_size"));
  CHECK_FALSE(fx.exists("rootfs/huge"));
  SUBCASE("and without a limit the missing data is a truncated archive") {
    std::string msg2 = refusal(fx, bytes);
    CHECK(contains(msg2, "entry \"rootfs/huge\""));
    CHECK(contains(msg2, "runcated"));
  }
}

TEST_CASE("the uncompressed total is capped while reading, whatever the entries declare") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest();
  for (int i = 0; i < 20; ++i) t.file("rootfs/f" + std::to_string(i), std::string(100000, '\0'));
  ExtractOptions opts;
  opts.max_uncompressed_size = 1 << 20;
  CHECK(contains(refusal(fx, t.finish(), opts), "max_uncompressed_size"));
}

TEST_CASE("the same path twice: the later entry wins, directories merge") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest();
  t.file("rootfs/f", "first").file("rootfs/f", "second");
  t.file("rootfs/fd", "file").dir("rootfs/fd").file("rootfs/fd/in", "x");
  t.dir("rootfs/df").file("rootfs/df/in", "x").file("rootfs/df", "file now");
  t.dir("rootfs/m").file("rootfs/m/a", "a").dir("rootfs/m", 0700).file("rootfs/m/b", "b");
  (void)fx.extract(t.finish());
  CHECK(read_file(fx.target + "/rootfs/f") == "second");
  CHECK(S_ISDIR(fx.lstat_of("rootfs/fd").st_mode));
  CHECK(fx.exists("rootfs/fd/in"));
  CHECK(read_file(fx.target + "/rootfs/df") == "file now");
  CHECK(fx.exists("rootfs/m/a"));
  CHECK(fx.exists("rootfs/m/b"));
  CHECK((fx.lstat_of("rootfs/m").st_mode & 07777) == 0700);
  CHECK(fx.outside_empty());
}

TEST_CASE("an archive without a manifest is refused") {
  ArchiveFixture fx;
  TarBuilder t;
  t.dir("rootfs").file("rootfs/a", "x");
  std::string msg = refusal(fx, t.finish());
  CHECK(contains(msg, "no manifest"));
}

TEST_CASE("an invalid manifest is refused with the reason") {
  ArchiveFixture fx;
  SUBCASE("bad name") {
    TarBuilder t;
    t.manifest(R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"Not A Name!"})");
    std::string msg = refusal(fx, t.finish());
    CHECK(contains(msg, "entry \"manifest\""));
    CHECK(contains(msg, "name"));
  }
  SUBCASE("not JSON") {
    TarBuilder t;
    t.manifest("{not json");
    CHECK(contains(refusal(fx, t.finish()), "the manifest is invalid"));
  }
  SUBCASE("two manifests") {
    TarBuilder t;
    t.manifest().manifest(minimal_manifest("example.com/other"));
    CHECK(contains(refusal(fx, t.finish()), "second manifest"));
  }
  SUBCASE("a directory called manifest") {
    TarBuilder t;
    t.dir("manifest");
    CHECK(contains(refusal(fx, t.finish()), "regular file"));
  }
}

TEST_CASE("truncated archives are refused") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().file("rootfs/big", std::string(100000, 'b'));
  std::string bytes = t.finish();
  std::string msg = refusal(fx, bytes.substr(0, 50000));
  CHECK(contains(msg, "entry \"rootfs/big\""));
}

TEST_CASE("garbage, empty input and foreign compressions are refused") {
  ArchiveFixture fx;
  SUBCASE("garbage") {
    std::string garbage(4096, '\0');
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) % 251);
    CHECK(contains(refusal(fx, garbage), "not a tar archive"));
  }
  SUBCASE("empty") { CHECK(contains(refusal(fx, ""), "empty")); }
  SUBCASE("lz4") { CHECK(contains(refusal(fx, std::string("\x04\x22\x4d\x18rest", 8)), "lz4")); }
  SUBCASE("gzip magic but not gzip") {
    CHECK(contains(refusal(fx, std::string("\x1f\x8b garbage garbage garbage", 25)), "gzip"));
  }
  CHECK((!path_exists(fx.target + "/rootfs") || list_dir(fx.target + "/rootfs").empty()));
}

TEST_CASE("setuid bits, owners, times and xattrs are restored as root") {
  if (::geteuid() != 0) return;  // the non-root policy is checked by the next case
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().owner(1234, 5678).mtime(1234567890);
  t.file("rootfs/suid", "x", 04755, {{"user.pod", "hello"}, {"trusted.pod", "t"}});
  (void)fx.extract(t.finish());
  struct stat st = fx.lstat_of("rootfs/suid");
  CHECK((st.st_mode & 07777) == 04755);
  CHECK(st.st_uid == 1234);
  CHECK(st.st_gid == 5678);
  CHECK(st.st_mtime == 1234567890);
  char value[16] = {};
  ssize_t n = ::lgetxattr((fx.target + "/rootfs/suid").c_str(), "trusted.pod", value, sizeof value);
  if (n < 0 && errno == ENOTSUP) return;  // /tmp without xattrs
  CHECK(std::string(value, static_cast<size_t>(std::max<ssize_t>(n, 0))) == "t");
}

TEST_CASE("pathWhitelist keeps only the listed paths and their directories") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().dir("rootfs/bin").file("rootfs/bin/sh", "sh").file("rootfs/bin/ls", "ls");
  t.dir("rootfs/etc").file("rootfs/etc/passwd", "p").file("rootfs/top", "t");
  ExtractOptions opts;
  opts.path_whitelist = {"/bin/sh", "/top"};
  (void)fx.extract(t.finish(), opts);
  CHECK(fx.exists("rootfs/bin/sh"));
  CHECK(fx.exists("rootfs/top"));
  CHECK_FALSE(fx.exists("rootfs/bin/ls"));
  CHECK_FALSE(fx.exists("rootfs/etc"));
}

TEST_CASE("rootfs_only puts rootfs contents directly in the target") {
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().dir("rootfs").dir("rootfs/bin").file("rootfs/bin/sh", "sh");
  ExtractOptions opts;
  opts.rootfs_only = true;
  AciInfo info = fx.extract(t.finish(), opts);
  CHECK(read_file(fx.target + "/bin/sh") == "sh");
  CHECK_FALSE(fx.exists("manifest"));
  CHECK_FALSE(fx.exists("rootfs"));
  CHECK(info.manifest.name == "example.com/test");
}

TEST_CASE("as an unprivileged user: device nodes skipped, setuid bits dropped, owners not set") {
  if (::geteuid() != 0) return;  // needs root to become nobody
  ArchiveFixture fx;
  TarBuilder t;
  t.manifest().owner(1234, 5678);
  t.device("rootfs/null", AE_IFCHR, 1, 3).file("rootfs/suid", "x", 04755);
  write_file_atomic(fx.aci, t.finish());
  const uid_t nobody = 65534;
  REQUIRE(::chmod(fx.root.path().c_str(), 0755) == 0);
  REQUIRE(::chown(fx.target.c_str(), nobody, nobody) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child reports through its exit status only: doctest is not fork-safe.
    if (::setgroups(0, nullptr) < 0 || ::setgid(nobody) < 0 || ::setuid(nobody) < 0) ::_exit(100);
    int status = 0;
    try {
      UniqueFd dir = open_dir(fx.target);
      AciReadOptions opts;
      opts.extract_dirfd = dir.get();
      AciInfo info = read_aci_file(fx.aci, opts);
      if (info.skipped_device_nodes != 1) status |= 2;
    } catch (...) {
      ::_exit(101);
    }
    ::_exit(status);
  }
  int wstatus = 0;
  REQUIRE(::waitpid(pid, &wstatus, 0) == pid);
  REQUIRE(WIFEXITED(wstatus));
  CHECK(WEXITSTATUS(wstatus) == 0);
  CHECK_FALSE(fx.exists("rootfs/null"));
  struct stat st = fx.lstat_of("rootfs/suid");
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 0755);
  CHECK(st.st_uid == nobody);
  CHECK(fx.outside_empty());
}

TEST_CASE("a full file system is reported with the entry and the path") {
  if (::geteuid() != 0) return;  // mounting the small tmpfs needs root
  ArchiveFixture fx;
  MountGuard small = mount_or_throw("tmpfs", fx.target, "tmpfs", 0, "size=64k");
  TarBuilder t;
  t.manifest().dir("rootfs/data").file("rootfs/data/big", std::string(1 << 20, 'b'));
  std::string msg = refusal(fx, t.finish());
  CHECK(contains(msg, "entry \"rootfs/data/big\""));
  CHECK(contains(msg, "writing data/big"));
  CHECK(contains(msg, "No space left on device"));
  CHECK(fx.outside_empty());
}
