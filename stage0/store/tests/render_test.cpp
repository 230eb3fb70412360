#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

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

std::string import_bytes(Store& s, TempStore& t, const std::string& aci) {
  std::string path = t.write_aci(aci);
  UniqueFd fd = open_fd(path, O_RDONLY);
  return s.import(fd.get(), path);
}

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
  std::string base = import_bytes(
      s, t,
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
  std::string mid = import_bytes(
      s, t,
      make_aci(manifest_json("example.com/mid", {{"version", "1"}},
                             {Dep{"example.com/base", "", {{"version", "1"}}}}),
               {{"bin", Entry{"", true, false, 0700}},
                {"bin/sh", Entry{"mid-sh"}},
                {"lib", Entry{"", true}},
                {"lib/mid", Entry{"m"}}}));
  // other: a second dependency of top, applied after mid.
  std::string other = import_bytes(
      s, t, make_aci(manifest_json("example.com/other", {}), {{"etc", Entry{"", true}},
                                                               {"etc/os-release", Entry{"other\n"}},
                                                               {"opt", Entry{"", true}},
                                                               {"opt/o", Entry{"o"}}}));
  std::string top = import_bytes(
      s, t,
      make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/mid", mid, {}},
                                                      Dep{"example.com/other", "", {}}},
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
  std::string dep_aci = make_aci(manifest_json("example.com/dep", {{"version", "3"}}),
                                 {{"from-dep", Entry{"d"}}});
  std::string top = import_bytes(
      s, t,
      make_aci(manifest_json("example.com/needs", {}, {Dep{"example.com/dep", "", {{"version", "3"}}}}),
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
  std::string base = import_bytes(s, t, make_aci(manifest_json("example.com/base", {}), {{"f", Entry{"UNIQUE-CONTENT"}}}, false));
  std::string top = import_bytes(
      s, t, make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/base", "", {}}}), {}));
  // Same size, different byte inside the file's data.
  std::string blob = read_file(s.blob_path(base));
  auto pos = blob.find("UNIQUE-CONTENT");
  REQUIRE(pos != std::string::npos);
  blob[pos] = 'X';
  write_file_atomic(s.blob_path(base), blob);
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
  std::string base = import_bytes(s, t, make_aci(manifest_json("example.com/base", {}),
                                                 {{"from-base", Entry{"b"}}, {"shared", Entry{"base"}}}));
  std::string top = import_bytes(
      s, t, make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/base", "", {}}}),
                     {{"shared", Entry{"top"}}}));
  std::string out = t.root.path() + "/out";
  CHECK(s.render_to(top, out) == std::vector<std::string>{base, top});
  CHECK(read_file(out + "/rootfs/from-base") == "b");
  CHECK(read_file(out + "/rootfs/shared") == "top");
  CHECK(read_file(out + "/manifest").find("example.com/top") != std::string::npos);
  CHECK_THROWS_WITH_AS((void)s.render_to(top, out), doctest::Contains("already exists"), Error);
  // Nothing was added to the store's trees by it (the import rendered base's own).
  CHECK(s.list_trees().size() == 1);
  for (const auto& name : list_dir(t.root.path())) CHECK(name.rfind(".pod-render-", 0) != 0);
}
