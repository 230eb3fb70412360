// What a killed command leaves behind must never break the next one.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/store/sqlite.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tests/test_images.hpp"

using namespace pod;
using namespace pod::store;
using namespace pod::store::testing;

TEST_CASE("a half-written import left by a killed process is ignored, then cleaned up") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string aci =
      make_aci(manifest_json("example.com/half", {}), {{"f", Entry{std::string(50000, 'z')}}});
  // What a kill -9 mid-import leaves: a workspace with half a blob and half a tree, unlocked.
  std::string stale = t.data + "/cas/tmp/import-killed";
  make_dirs(stale + "/tree/rootfs");
  write_file_atomic(stale + "/blob", aci.substr(0, aci.size() / 2));
  CHECK(s.list().empty());
  std::string id = import_bytes(s, t, aci);  // imports clean up leftovers as they go
  CHECK_FALSE(path_exists(stale));
  CHECK(s.list().size() == 1);
  CHECK(read_file(s.blob_path(id)) == aci);
}

TEST_CASE("work in progress of a live process is never cleaned up") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string live = t.data + "/cas/tmp/import-live";
  make_dirs(live);
  FileLock owner = FileLock::acquire(live, LockMode::exclusive);
  s.clean_stale_temps();
  CHECK(path_exists(live));
  owner = FileLock();
  s.clean_stale_temps();
  CHECK_FALSE(path_exists(live));
}

TEST_CASE("a blob without an index row (killed before the insert) is unlisted, and gc removes it") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string aci = make_aci(manifest_json("example.com/orphan", {}), {});
  std::string id = import_bytes(s, t, aci);
  std::string blob = s.blob_path(id);
  std::string kept = read_file(blob);
  s.remove(id);
  // Put the blob back without a row: the state between rename and insert.
  make_dirs(blob.substr(0, blob.find_last_of('/')));
  write_file_atomic(blob, kept);
  CHECK(s.list().empty());
  CHECK_THROWS_AS((void)s.get(id), Error);
  // Importing again works over it.
  CHECK(import_bytes(s, t, aci) == id);
  s.remove(id);
  write_file_atomic(blob, kept);
  GcResult r = s.gc(GcOptions{});
  CHECK_FALSE(path_exists(blob));
  CHECK(r.bytes_freed >= kept.size());
}

TEST_CASE("a tree directory without a row (killed after the rename) is reused, and gc finds it") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string id =
      import_bytes(s, t, make_aci(manifest_json("example.com/t", {}), {{"f", Entry{"1"}}}));
  RenderedTree tree = s.render(id);
  std::string dir = tree.dir;
  tree.hold = FileLock();
  // Drop the row only, as if killed between the rename and the insert.
  {
    Sqlite db = Sqlite::open(t.data + "/cas/db", 1000);
    db.exec("DELETE FROM trees");
  }
  CHECK(s.list_trees().empty());
  RenderedTree reused = s.render(id);
  CHECK(reused.dir == dir);
  CHECK(s.list_trees().size() == 1);
  reused.hold = FileLock();
  {
    Sqlite db = Sqlite::open(t.data + "/cas/db", 1000);
    db.exec("DELETE FROM trees");
  }
  GcOptions keep;
  keep.trees_in_use = std::vector<std::string>{tree.tree_id};
  keep.grace_period_seconds = 3600;
  GcResult r = s.gc(keep);
  CHECK(r.removed_trees.empty());
  CHECK(path_exists(dir));
  GcOptions drop;
  drop.trees_in_use = std::vector<std::string>{};
  drop.grace_period_seconds = 3600;
  r = s.gc(drop);
  CHECK(r.removed_trees == std::vector<std::string>{tree.tree_id});
  CHECK_FALSE(path_exists(dir));
  CHECK(s.list().size() == 1);  // used recently: the image stays
}

TEST_CASE("gc keeps trees someone holds and removes images past the grace period") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string id =
      import_bytes(s, t, make_aci(manifest_json("example.com/g", {}), {{"f", Entry{"1"}}}));
  RenderedTree held = s.render(id);
  GcOptions opts;
  opts.trees_in_use = std::vector<std::string>{};
  opts.grace_period_seconds = 3600;
  GcResult r = s.gc(opts);
  CHECK(r.kept_trees == std::vector<std::string>{held.tree_id});
  CHECK(path_exists(held.rootfs()));
  held.hold = FileLock();
  opts.grace_period_seconds = -10;  // everything counts as unused
  r = s.gc(opts);
  CHECK(r.removed_images == std::vector<std::string>{id});
  CHECK(s.list().empty());
  CHECK_FALSE(path_exists(held.dir));
  CHECK_FALSE(path_exists(s.blob_path(id)));
}

TEST_CASE("trees named by pods' treeStoreID files are in use") {
  TempStore t;
  std::string pod = t.data + "/pods/run/0a6c2f1e-0000-4000-8000-000000000001";
  make_dirs(pod + "/appsinfo/app1");
  write_file_atomic(pod + "/appsinfo/app1/treeStoreID", "deps-sha512-abc\n");
  write_file_atomic(pod + "/stage1TreeStoreID", "deps-sha512-def");
  auto used = trees_used_by_pods(t.data);
  CHECK(used == std::vector<std::string>{"deps-sha512-abc", "deps-sha512-def"});
}
