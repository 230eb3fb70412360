// Many processes on one store at once: each child opens its own Store, as
// separate `pod` commands do.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <set>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/store/store.hpp"
#include "stage0/store/tests/test_images.hpp"

using namespace pod;
using namespace pod::store;
using namespace pod::store::testing;

namespace {

// Runs body(i) in n child processes at once; returns how many exited 0. A child
// writes what it wants to report to <dir>/out-<i>.
int in_children(int n, const std::function<void(int)>& body) {
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int rc = 0;
      try {
        body(i);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", i, e.what());
        rc = 1;
      }
      ::_exit(rc);  // no doctest teardown in the child
    }
    pids.push_back(pid);
  }
  int ok = 0;
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++ok;
  }
  return ok;
}

}  // namespace

TEST_CASE("ten processes creating one new store and importing into it at once") {
  TempStore t;
  std::vector<std::string> acis;
  for (int i = 0; i < 10; ++i)
    acis.push_back(t.write_aci(make_aci(manifest_json("example.com/c" + std::to_string(i % 5), {}),
                                        {{"f", Entry{std::string(100000, char('a' + i % 5))}}})));
  int ok = in_children(10, [&](int i) {
    Store s = Store::open(t.data, t.log);
    std::string id = s.import_file(acis[static_cast<size_t>(i)]);
    write_file_atomic(t.root.path() + "/out-" + std::to_string(i), id);
  });
  CHECK(ok == 10);
  Store s = Store::open(t.data, t.log);
  CHECK(s.list().size() == 5);  // two imports of each of five images
  for (int i = 0; i < 10; ++i)
    CHECK(s.get(read_file(t.root.path() + "/out-" + std::to_string(i))).name ==
          "example.com/c" + std::to_string(i % 5));
  CHECK(list_dir(t.data + "/cas/tmp").empty());
}

TEST_CASE("eight processes rendering the same new tree: one renders, all get it") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  auto import = [&](const std::string& aci) {
    UniqueFd fd = open_fd(t.write_aci(aci), O_RDONLY);
    return s.import(fd.get(), "test");
  };
  std::string base = import(
      make_aci(manifest_json("example.com/base", {}), {{"big", Entry{std::string(4 << 20, 'b')}}}));
  std::string top =
      import(make_aci(manifest_json("example.com/top", {}, {Dep{"example.com/base", base, {}}}),
                      {{"top", Entry{"t"}}}));
  int ok = in_children(8, [&](int i) {
    Store mine = Store::open(t.data, t.log);
    RenderedTree tree = mine.render(top);
    // While the hold is kept nobody removes it: check its content under the hold.
    if (read_file(tree.rootfs() + "/top") != "t") throw Error("wrong tree content");
    write_file_atomic(t.root.path() + "/out-" + std::to_string(i), tree.dir);
  });
  CHECK(ok == 8);
  std::set<std::string> dirs;
  for (int i = 0; i < 8; ++i) dirs.insert(read_file(t.root.path() + "/out-" + std::to_string(i)));
  CHECK(dirs.size() == 1);
  // base's and top's own layer (kept by their imports), and the one rendered tree of top.
  CHECK(s.list_trees().size() == 3);
  CHECK(list_dir(t.data + "/cas/tmp").empty());
}

TEST_CASE("renders, removals and gc racing never leave a tree without its content") {
  TempStore t;
  Store s = Store::open(t.data, t.log);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    UniqueFd fd =
        open_fd(t.write_aci(make_aci(manifest_json("example.com/r" + std::to_string(i), {}),
                                     {{"f", Entry{std::string(200000, 'r')}}})),
                O_RDONLY);
    ids.push_back(s.import(fd.get(), "test"));
  }
  int ok = in_children(12, [&](int i) {
    Store mine = Store::open(t.data, t.log);
    for (int round = 0; round < 5; ++round) {
      if (i % 3 == 0) {
        GcOptions opts;
        opts.trees_in_use = std::vector<std::string>{};
        opts.grace_period_seconds = 3600;
        (void)mine.gc(opts);  // removes every tree nobody holds
      } else {
        RenderedTree tree = mine.render(ids[static_cast<size_t>((i + round) % 4)]);
        if (read_file(tree.rootfs() + "/f").size() != 200000) throw Error("tree lost its content");
      }
    }
  });
  CHECK(ok == 12);
  CHECK(s.list().size() == 4);
  for (const auto& id : ids) CHECK(read_file(s.render(id).rootfs() + "/f").size() == 200000);
}
