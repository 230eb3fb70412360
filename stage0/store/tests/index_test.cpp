#include <doctest/doctest.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/store/index.hpp"
#include "stage0/store/sqlite.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tests/test_images.hpp"

using namespace pod;
using namespace pod::store;
using namespace pod::store::testing;

TEST_CASE("opening a store creates the layout and a versioned WAL index") {
  TempStore t;
  {
    Store s = Store::open(t.data, t.log);
    CHECK(is_directory(t.data + "/cas/blob/sha512"));
    CHECK(is_directory(t.data + "/cas/tree"));
    CHECK(path_exists(t.data + "/cas/db"));
  }
  Sqlite db = Sqlite::open(t.data + "/cas/db", 1000);
  auto v = db.prepare("PRAGMA user_version");
  REQUIRE(v.step());
  CHECK(v.integer(0) == kSchemaVersion);
  auto mode = db.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");
  // Opening again keeps what is there.
  CHECK_NOTHROW((void)Store::open(t.data, t.log));
}

TEST_CASE("an index written by a newer pod is refused, naming the versions") {
  TempStore t;
  (void)Store::open(t.data, t.log);
  {
    Sqlite db = Sqlite::open(t.data + "/cas/db", 1000);
    db.exec("PRAGMA user_version=99");
  }
  try {
    (void)Store::open(t.data, t.log);
    FAIL("opened a schema from the future");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("version 99") != std::string::npos);
  }
}

TEST_CASE("import stores the blob byte for byte and indexes name, labels and sizes") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string aci =
      make_aci(manifest_json("example.com/app", {{"version", "1.0"}, {"os", "linux"}}),
               {{"hello", Entry{"hi\n"}}});
  std::string id = import_bytes(s, t, aci);
  CHECK(id.rfind("sha512-", 0) == 0);
  CHECK(id.size() == 7 + 128);
  CHECK(read_file(s.blob_path(id)) == aci);
  ImageRecord r = s.get(id);
  CHECK(r.name == "example.com/app");
  CHECK(r.labels.get("version") == std::optional<std::string>("1.0"));
  CHECK(r.size == aci.size());
  CHECK(r.uncompressed_size > r.size);
  CHECK(r.import_time > 0);
  CHECK(r.last_used >= r.import_time);
  CHECK(r.manifest().name == "example.com/app");
  CHECK(s.list().size() == 1);
  // The import rendered the tree too: the image has no dependencies.
  RenderedTree tree = s.render(id);
  CHECK(read_file(tree.rootfs() + "/hello") == "hi\n");
  CHECK(s.list_trees().size() == 1);
}

TEST_CASE("re-importing a known image keeps the first blob and one row") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string m = manifest_json("example.com/same", {});
  Files files = {{"f", Entry{"content"}}};
  std::string gz = make_aci(m, files, true);
  std::string plain = make_aci(m, files, false);
  std::string a = import_bytes(s, t, gz);
  std::string b = import_bytes(s, t, plain);
  CHECK(a == b);  // the ID is the hash of the uncompressed tar
  CHECK(s.list().size() == 1);
  CHECK(read_file(s.blob_path(a)) == gz);
}

TEST_CASE("lookup by prefix, by name and labels, and by reference") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string v1 =
      import_bytes(s, t, make_aci(manifest_json("example.com/app", {{"version", "1.0"}}), {}));
  std::string v2 =
      import_bytes(s, t, make_aci(manifest_json("example.com/app", {{"version", "2.0"}}), {}));
  CHECK(s.get(v1.substr(0, 7 + 20)).id == v1);
  CHECK(s.find("example.com/app", {})->id == v2);  // the newest import
  CHECK(s.find("example.com/app", {{"version", "1.0"}})->id == v1);
  CHECK_FALSE(s.find("example.com/app", {{"version", "3.0"}}).has_value());
  CHECK_FALSE(s.find("example.com/other", {}).has_value());
  CHECK(s.resolve("example.com/app:1.0").id == v1);
  CHECK(s.resolve("example.com/app,version=2.0").id == v2);
  CHECK(s.resolve(v2).id == v2);
  CHECK_THROWS_AS((void)s.resolve("example.com/app:9"), Error);
  CHECK_THROWS_AS((void)s.get("sha512-zz"), UsageError);
  std::string missing = "sha512-" + std::string(128, '0');
  try {
    (void)s.get(missing);
    FAIL("found a missing image");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(missing) != std::string::npos);
    CHECK_FALSE(e.hint().empty());
  }
}

TEST_CASE("an ambiguous ID prefix is an error naming the candidates") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  // Images until two share their first two hex digits (rkt's shortest prefix): about
  // twenty by the birthday bound, 257 at most.
  std::map<std::string, std::string> by_digits;
  std::string a, b;
  for (int i = 0; i < 257 && a.empty(); ++i) {
    std::string id =
        import_bytes(s, t, make_aci(manifest_json("example.com/n" + std::to_string(i), {}), {}));
    std::string d = id.substr(7, 2);
    if (by_digits.count(d)) {
      a = by_digits[d];
      b = id;
    }
    by_digits[d] = id;
  }
  REQUIRE_FALSE(a.empty());
  std::string prefix = a.substr(0, 9);
  // Shorter than rkt's minimum: its words.
  CHECK_THROWS_WITH_AS((void)s.get(a.substr(0, 8)), doctest::Contains("image ID too short"), Error);
  try {
    (void)s.get(prefix);
    FAIL("an ambiguous prefix resolved");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("ambiguous") != std::string::npos);
    CHECK(msg.find(short_id(a)) != std::string::npos);
    CHECK(msg.find(short_id(b)) != std::string::npos);
  }
}

TEST_CASE("remote cache records are stored, replaced and dropped with their image") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string id = import_bytes(s, t, make_aci(manifest_json("example.com/r", {}), {}));
  CHECK_FALSE(s.get_remote("https://example.com/r.aci").has_value());
  s.set_remote(RemoteRecord{"https://example.com/r.aci", id, "\"etag1\"", 3600, 1000});
  auto r = s.get_remote("https://example.com/r.aci");
  REQUIRE(r.has_value());
  CHECK(r->image_id == id);
  CHECK(r->etag == "\"etag1\"");
  CHECK(r->max_age == 3600);
  CHECK(r->download_time == 1000);
  s.set_remote(RemoteRecord{"https://example.com/r.aci", id, "\"etag2\"", 60, 2000});
  CHECK(s.get_remote("https://example.com/r.aci")->etag == "\"etag2\"");
  s.remove(id);
  CHECK_FALSE(s.get_remote("https://example.com/r.aci").has_value());
  CHECK_FALSE(path_exists(s.blob_path(id)));
  CHECK(s.list().empty());
  CHECK(s.list_trees().empty());
  CHECK_THROWS_AS(s.remove(id), Error);
}

TEST_CASE("import_file skips reading a file imported unchanged, and notices a change") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string path = t.write_aci(make_aci(manifest_json("example.com/f", {}), {}));
  uint64_t reads = 0;
  ImportOptions opts;
  opts.progress = [&](uint64_t) { ++reads; };
  std::string id = s.import_file(path, opts);
  CHECK(reads > 0);
  reads = 0;
  CHECK(s.import_file(path, opts) == id);
  CHECK(reads == 0);
  write_file_atomic(path, make_aci(manifest_json("example.com/f", {{"version", "2"}}), {}));
  std::string id2 = s.import_file(path, opts);
  CHECK(reads > 0);
  CHECK(id2 != id);
}

TEST_CASE("a damaged ACI is refused and leaves nothing behind") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::string aci = make_aci(manifest_json("example.com/bad", {}),
                             {{"x", Entry{std::string(30000, 'a')}}}, false);
  aci.resize(aci.size() / 2);
  CHECK_THROWS_AS((void)import_bytes(s, t, aci), Error);
  CHECK(s.list().empty());
  CHECK(list_dir(t.data + "/cas/tmp").empty());
  CHECK(list_dir(t.data + "/cas/tree").empty());
}
