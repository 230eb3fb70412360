#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tests/test_images.hpp"
#include "stage0/store/tree_ops.hpp"

using namespace pod;
using namespace pod::store;
using namespace pod::store::testing;

namespace {

ino_t inode_of(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("tree IDs are derived from the ordered chain") {
  std::string a = "sha512-" + std::string(128, 'a');
  std::string b = "sha512-" + std::string(128, 'b');
  std::string ab = Store::tree_id_of({a, b});
  CHECK(ab.rfind("deps-sha512-", 0) == 0);
  CHECK(ab.size() == 12 + 128);
  CHECK(ab == Store::tree_id_of({a, b}));
  CHECK(ab != Store::tree_id_of({b, a}));
  CHECK(ab != Store::tree_id_of({a}));
}

TEST_CASE("render applies dependencies in order, the image on top, and honours pathWhitelist") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  // base: the bottom layer; its own dependency is none.
  std::string base = import_bytes(s, t,
                                  make_aci(manifest_json("example.com/base", {{"version", "1"}}),
                                           {{"etc", Entry{"", true}},
                                            {"etc/os-release", Entry{"base\n"}},
                                            {"etc/only-base", Entry{"b\n"}},
                                            {"bin", Entry{"", true}},
                                            {"bin/sh", Entry{"base-sh"}},
                                            {"lib", Entry{"usr/lib", false, true}},
                                            {"usr", Entry{"", true}},
                                            {"usr/lib", Entry{"", true}},
                                            {"usr/lib/libc", Entry{"libc"}}}));
  // mid: depends on base by name and label, overrides a file and replaces a symlink.
  std::string mid =
      import_bytes(s, t,
                   make_aci(manifest_json("example.com/mid", {{"version", "1"}},
                                          {Dep{"example.com/base", "", {{"version", "1"}}}}),
                            {{"bin", Entry{"", true, false, 0700}},
                             {"bin/sh", Entry{"mid-sh"}},
                             {"lib", Entry{"", true}},
                             {"lib/mid", Entry{"m"}}}));
  // other: a second dependency of top, applied after mid.
  std::string other = import_bytes(
      s, t,
      make_aci(manifest_json("example.com/other", {}), {{"etc", Entry{"", true}},
                                                        {"etc/os-release", Entry{"other\n"}},
                                                        {"opt", Entry{"", true}},
                                                        {"opt/o", Entry{"o"}}}));
  std::string top = import_bytes(
      s, t,
      make_aci(manifest_json("example.com/top", {},
                             {Dep{"example.com/mid", mid, {}}, Dep{"example.com/other", "", {}}},
                             {"/etc/os-release", "/bin/sh", "/bin/top", "/lib/mid", "/opt"}),
               {{"bin", Entry{"", true}}, {"bin/top", Entry{"t"}}, {"bin/extra", Entry{"x"}}}));

  CHECK(s.dependency_chain(top) == std::vector<std::string>{base, mid, other, top});
  RenderedTree tree = s.render(top);
  CHECK(tree.chain == std::vector<std::string>{base, mid, other, top});
  CHECK(tree.tree_id == Store::tree_id_of(tree.chain));
  std::string r = tree.rootfs();
  CHECK(read_file(r + "/etc/os-release") == "other\n");  // later dependency wins
  CHECK(read_file(r + "/bin/sh") == "mid-sh");           // upper layer wins
  CHECK(read_file(r + "/bin/top") == "t");
  CHECK(read_file(r + "/lib/mid") == "m");  // the symlink below was replaced, not followed
  CHECK_FALSE(path_exists(r + "/usr/lib/mid"));
  // The whitelist keeps listed paths and the directories leading to them only.
  CHECK_FALSE(path_exists(r + "/etc/only-base"));
  CHECK_FALSE(path_exists(r + "/bin/extra"));
  CHECK_FALSE(path_exists(r + "/usr"));
  CHECK(is_directory(r + "/opt"));
  CHECK_FALSE(path_exists(r + "/opt/o"));  // a listed directory keeps itself, not its content
  CHECK(read_file(tree.manifest_path()).find("example.com/top") != std::string::npos);

  // Rendered once, reused afterwards.
  ino_t first = inode_of(tree.rootfs());
  RenderedTree again = s.render(top);
  CHECK(again.dir == tree.dir);
  CHECK(inode_of(again.rootfs()) == first);
  // mid alone renders its own tree, without the whitelist of top.
  RenderedTree mid_tree = s.render(mid);
  CHECK(mid_tree.dir != tree.dir);
  CHECK(read_file(mid_tree.rootfs() + "/etc/only-base") == "b\n");
  struct stat st;
  REQUIRE(::stat((mid_tree.rootfs() + "/bin").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);  // the upper directory's mode wins
}

TEST_CASE("missing dependencies go to the fetcher, or fail naming them") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string dep_aci =
      make_aci(manifest_json("example.com/dep", {{"version", "3"}}), {{"from-dep", Entry{"d"}}});
  std::string top = import_bytes(
      s, t,
      make_aci(
          manifest_json("example.com/needs", {}, {Dep{"example.com/dep", "", {{"version", "3"}}}}),
          {{"own", Entry{"o"}}}));
  try {
    (void)s.render(top);
    FAIL("rendered without its dependency");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("example.com/dep") != std::string::npos);
    CHECK_FALSE(e.hint().empty());
  }
  int calls = 0;
  RenderedTree tree = s.render(top, [&](const aci::Dependency& d) {
    ++calls;
    CHECK(d.image_name == "example.com/dep");
    return import_bytes(s, t, dep_aci);
  });
  CHECK(calls == 1);
  CHECK(read_file(tree.rootfs() + "/from-dep") == "d");
  CHECK(read_file(tree.rootfs() + "/own") == "o");
}

TEST_CASE("a dependency cycle is an error, not a hang") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string a = import_bytes(
      s, t, make_aci(manifest_json("example.com/a", {}, {Dep{"example.com/b", "", {}}}), {}));
  std::string b = import_bytes(
      s, t, make_aci(manifest_json("example.com/b", {}, {Dep{"example.com/a", "", {}}}), {}));
  CHECK_THROWS_WITH_AS((void)s.dependency_chain(a), doctest::Contains("depends on itself"), Error);
}

TEST_CASE("a damaged blob is detected when rendering") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string base = import_bytes(
      s, t,
      make_aci(manifest_json("example.com/base", {}), {{"f", Entry{"UNIQUE-CONTENT"}}}, false));
  std::string top = import_bytes(
      s, t, make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/base", "", {}}}), {}));
  // Same size, different byte inside the file's data.
  std::string blob = read_file(s.blob_path(base));
  auto pos = blob.find("UNIQUE-CONTENT");
  REQUIRE(pos != std::string::npos);
  blob[pos] = 'X';
  write_file_atomic(s.blob_path(base), blob);
  // While base's own tree exists, rendering copies the layer from it and never reads the blob.
  {
    RenderedTree t1 = s.render(top);
    CHECK(read_file(t1.rootfs() + "/f") == "UNIQUE-CONTENT");
  }
  GcOptions drop;
  drop.trees_in_use = std::vector<std::string>{};
  drop.grace_period_seconds = 3600;
  (void)s.gc(drop);
  CHECK_THROWS_WITH_AS((void)s.render(top), doctest::Contains("damaged"), Error);
}

TEST_CASE("merge_layer replaces a directory by a file and a file by a directory") {
  TempPath root = make_temp_dir("/tmp", "pod-merge-test-");
  std::string lower = root.path() + "/lower", upper = root.path() + "/upper";
  make_dirs(lower + "/was-dir/sub");
  write_file_atomic(lower + "/was-dir/sub/x", "x");
  write_file_atomic(lower + "/was-file", "f");
  make_dirs(upper + "/was-file");
  write_file_atomic(upper + "/was-file/inside", "i");
  write_file_atomic(upper + "/was-dir", "now a file");
  UniqueFd up = open_fd(upper, O_RDONLY | O_DIRECTORY);
  UniqueFd low = open_fd(lower, O_RDONLY | O_DIRECTORY);
  merge_layer(up.get(), low.get(), "lower");
  CHECK(read_file(lower + "/was-dir") == "now a file");
  CHECK(read_file(lower + "/was-file/inside") == "i");
}

TEST_CASE("render_to writes the rendered image outside the store, and never over a directory") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string base = import_bytes(s, t,
                                  make_aci(manifest_json("example.com/base", {}),
                                           {{"from-base", Entry{"b"}}, {"shared", Entry{"base"}}}));
  std::string top =
      import_bytes(s, t,
                   make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/base", "", {}}}),
                            {{"shared", Entry{"top"}}}));
  std::string out = t.root.path() + "/out";
  CHECK(s.render_to(top, out) == std::vector<std::string>{base, top});
  CHECK(read_file(out + "/rootfs/from-base") == "b");
  CHECK(read_file(out + "/rootfs/shared") == "top");
  CHECK(read_file(out + "/manifest").find("example.com/top") != std::string::npos);
  CHECK_THROWS_WITH_AS((void)s.render_to(top, out), doctest::Contains("already exists"), Error);
  // Nothing was added to the store's trees by it (the imports kept base's and top's own).
  CHECK(s.list_trees().size() == 2);
  for (const auto& name : list_dir(t.root.path())) CHECK(name.rfind(".pod-render-", 0) != 0);
}

TEST_CASE(
    "copy_layer keeps modes, owners, symlinks, hard links and xattrs, and layers like merge") {
  TempPath root = make_temp_dir("/tmp", "pod-copy-test-");
  std::string lower = root.path() + "/lower", upper = root.path() + "/upper";
  make_dirs(lower + "/bin");
  write_file_atomic(lower + "/bin/sh", "lower-sh");
  write_file_atomic(lower + "/keep", "kept");
  make_dirs(lower + "/lib");
  ::symlink("/etc", (lower + "/was-link").c_str());
  make_dirs(upper + "/bin");
  write_file_atomic(upper + "/bin/sh", "upper-sh", 04755);
  REQUIRE(::chown((upper + "/bin/sh").c_str(), 12, 34) == 0);
  REQUIRE(::chmod((upper + "/bin/sh").c_str(), 04755) == 0);
  REQUIRE(::link((upper + "/bin/sh").c_str(), (upper + "/bin/sh-link").c_str()) == 0);
  ::symlink("sh", (upper + "/bin/alias").c_str());
  make_dirs(upper + "/was-link");
  write_file_atomic(upper + "/was-link/inside", "i");
  bool xattrs = ::setxattr((upper + "/bin/sh").c_str(), "user.pod-test", "v", 1, 0) == 0;
  REQUIRE(::chmod((upper + "/bin").c_str(), 0711) == 0);

  UniqueFd up = open_fd(upper, O_RDONLY | O_DIRECTORY);
  UniqueFd low = open_fd(lower, O_RDONLY | O_DIRECTORY);
  copy_layer(up.get(), low.get(), "lower");

  CHECK(read_file(lower + "/bin/sh") == "upper-sh");
  CHECK(read_file(upper + "/bin/sh") == "upper-sh");  // the source is left alone
  CHECK(read_file(lower + "/keep") == "kept");
  struct stat st, st2;
  REQUIRE(::lstat((lower + "/bin/sh").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 04755);  // setuid survives the chown
  CHECK(st.st_uid == 12);
  CHECK(st.st_gid == 34);
  REQUIRE(::lstat((lower + "/bin/sh-link").c_str(), &st2) == 0);
  CHECK(st2.st_ino == st.st_ino);
  char target[16] = {};
  CHECK(::readlink((lower + "/bin/alias").c_str(), target, sizeof target - 1) == 2);
  CHECK(std::string(target) == "sh");
  CHECK(read_file(lower + "/was-link/inside") == "i");  // the symlink was replaced, not followed
  CHECK_FALSE(path_exists("/etc/inside"));
  REQUIRE(::stat((lower + "/bin").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0711);
  if (xattrs) {
    char v[4] = {};
    CHECK(::getxattr((lower + "/bin/sh").c_str(), "user.pod-test", v, sizeof v) == 1);
  }
}

TEST_CASE("a dependency's own pathWhitelist does not filter the images built on it") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  // Without dependencies but with a whitelist: its own tree is filtered, its layer is not.
  std::string lone = import_bytes(s, t,
                                  make_aci(manifest_json("example.com/lone", {}, {}, {"/a"}),
                                           {{"a", Entry{"a"}}, {"b", Entry{"b"}}}));
  // With a dependency and a whitelist: its layer (kept at import) is unfiltered.
  std::string mid = import_bytes(
      s, t,
      make_aci(
          manifest_json("example.com/mid", {}, {Dep{"example.com/lone", "", {}}}, {"/c", "/a"}),
          {{"c", Entry{"c"}}, {"d", Entry{"d"}}}));
  std::string top = import_bytes(
      s, t, make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/mid", "", {}}}), {}));
  CHECK_FALSE(path_exists(s.render(lone).rootfs() + "/b"));
  RenderedTree m = s.render(mid);
  CHECK(path_exists(m.rootfs() + "/a"));
  CHECK(path_exists(m.rootfs() + "/c"));
  CHECK_FALSE(path_exists(m.rootfs() + "/b"));
  CHECK_FALSE(path_exists(m.rootfs() + "/d"));
  RenderedTree all = s.render(top);
  for (const char* f : {"/a", "/b", "/c", "/d"}) CHECK(path_exists(all.rootfs() + f));
}
