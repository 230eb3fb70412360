#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/common/cgroups/hierarchy.hpp"
#include "stage1/common/cgroups/host.hpp"

using namespace pod;
using namespace pod::stage1::cgroups;

namespace {

// This machine's layout: v1 controllers, name=systemd, and cgroup2 for tracking.
constexpr const char* kHybrid =
    "9:name=systemd:/\n8:pids:/\n4:memory:/ci/job 1\n2:cpu,cpuacct:/\n0::/\n";
constexpr const char* kHybridMounts =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "41 31 0:38 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

}  // namespace

TEST_CASE("/proc/self/cgroup of a hybrid host") {
  auto hs = parse_proc_cgroup(kHybrid);
  REQUIRE(hs.size() == 5);
  const Hierarchy* cpu = v1_hierarchy_for(hs, "cpu");
  REQUIRE(cpu != nullptr);
  CHECK(cpu->mount_options() == "cpu,cpuacct");
  CHECK(v1_hierarchy_for(hs, "memory")->path == "/ci/job 1");
  CHECK(v1_hierarchy_for(hs, "io") == nullptr);
  REQUIRE(unified_hierarchy(hs) != nullptr);
  CHECK(unified_hierarchy(hs)->path == "/");
}

TEST_CASE("/proc/self/cgroup of a pure v2 host") {
  auto hs = parse_proc_cgroup("0::/user.slice/session-1.scope\n");
  REQUIRE(hs.size() == 1);
  CHECK(v1_hierarchy_for(hs, "memory") == nullptr);
  CHECK(unified_hierarchy(hs)->path == "/user.slice/session-1.scope");
  CHECK(parse_controllers("cpuset cpu io memory pids\n") ==
        std::vector<std::string>{"cpuset", "cpu", "io", "memory", "pids"});
}

TEST_CASE("a malformed /proc/self/cgroup line is named") {
  CHECK_THROWS_AS((void)parse_proc_cgroup("garbage\n"), Error);
}

TEST_CASE("the pod's cgroups sit below the caller's, in every hierarchy pod init uses") {
  auto hs = parse_proc_cgroup(kHybrid);
  auto dirs = pod_cgroup_dirs(kHybridMounts, hs, "U");
  CHECK(dirs == std::vector<std::string>{"/sys/fs/cgroup/memory/ci/job 1/pod-U", "/sys/fs/cgroup/cpu,cpuacct/pod-U",
                                         "/sys/fs/cgroup/pids/pod-U", "/sys/fs/cgroup/systemd/pod-U",
                                         "/sys/fs/cgroup/unified/pod-U"});
  auto v2 = parse_proc_cgroup("0::/a\n");
  CHECK(pod_cgroup_dirs("1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", v2, "U") ==
        std::vector<std::string>{"/sys/fs/cgroup/a/pod-U"});
}
