#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage1/common/cgroups/pod_cgroups.hpp"

using namespace pod;
using namespace pod::stage1::cgroups;

namespace {

// A directory tree standing in for mounted hierarchies: the control files are plain files.
struct FakeTree {
  std::string root;
  FakeTree() {
    char tmpl[] = "/tmp/pod-cgroups-test-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~FakeTree() { remove_tree(root); }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;
};

// A real cgroupfs creates the control files with the directory; the fake needs them first.
void precreate(const std::string& dir, std::initializer_list<const char*> files) {
  make_dirs(dir);
  for (const char* f : files) write_file_atomic(dir + "/" + f, "", 0644, false);
}

}  // namespace

TEST_CASE("v1: each controller's file lands in its own hierarchy") {
  FakeTree t;
  PodCgroups cg({{"memory", t.root + "/memory", false}, {"cpu", t.root + "/cpu", false},
                 {"pids", t.root + "/pids", false}},
                t.root + "/unified");
  precreate(t.root + "/memory/web", {"memory.limit_in_bytes"});
  precreate(t.root + "/cpu/web", {"cpu.shares"});
  precreate(t.root + "/pids/web", {"pids.max"});
  Limits l;
  l.memory_bytes = 8 << 20;
  l.cpu_shares = 256;
  l.pids_max = 32;
  make_dirs(t.root + "/unified");
  auto procs = cg.create_app("web", l);
  CHECK(procs.size() == 4);
  CHECK(read_file(t.root + "/memory/web/memory.limit_in_bytes") == "8388608");
  CHECK(read_file(t.root + "/cpu/web/cpu.shares") == "256");
  CHECK(read_file(t.root + "/pids/web/pids.max") == "32");
  CHECK(is_directory(t.root + "/unified/web"));
}

TEST_CASE("v2: every file in the one hierarchy") {
  FakeTree t;
  std::string u = t.root + "/unified";
  PodCgroups cg({{"memory", u, true}, {"cpu", u, true}, {"pids", u, true}}, u);
  precreate(u + "/web", {"memory.max", "memory.swap.max", "cpu.max", "cpu.weight", "pids.max"});
  Limits l;
  l.memory_bytes = 8 << 20;
  l.cpu_quota_millis = 100;
  l.cpu_shares = 1024;
  l.pids_max = 32;
  auto procs = cg.create_app("web", l);
  CHECK(procs == std::vector<std::string>{u + "/web/cgroup.procs"});
  CHECK(read_file(u + "/web/memory.max") == "8388608");
  CHECK(read_file(u + "/web/memory.swap.max") == "0");
  CHECK(read_file(u + "/web/cpu.max") == "10000 100000");
  CHECK(read_file(u + "/web/cpu.weight") == "39");
  CHECK(read_file(u + "/web/pids.max") == "32");
}

TEST_CASE("OOM kills are read from memory.events (v2) and memory.oom_control (v1)") {
  FakeTree t;
  PodCgroups v2({{"memory", t.root, true}}, t.root);
  precreate(t.root + "/a", {});
  write_file_atomic(t.root + "/a/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", 0644, false);
  CHECK(v2.oom_killed("a"));
  write_file_atomic(t.root + "/a/memory.events", "oom 0\noom_kill 0\n", 0644, false);
  CHECK_FALSE(v2.oom_killed("a"));
  PodCgroups v1({{"memory", t.root, false}}, "");
  write_file_atomic(t.root + "/a/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", 0644, false);
  CHECK(v1.oom_killed("a"));
}

TEST_CASE("a limit without its controller is refused before anything starts") {
  PodCgroups none({}, "");
  Limits l;
  l.memory_bytes = 1 << 20;
  try {
    none.check(l, "web");
    FAIL("accepted");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("app web") != std::string::npos);
    CHECK(msg.find("\"memory\"") != std::string::npos);
  }
  Limits pids_only;
  pids_only.pids_max = 10;  // the default limit is best effort
  CHECK_NOTHROW(none.check(pids_only, "web"));
}
