#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "api-service/pod_reader.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

using namespace pod::api;
using pod::pods::DirState;
using pod::pods::PodState;

namespace {

const std::string kUuid = "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";

std::string make_pod(const std::string& data, DirState dir) {
  pod::pods::ensure_pod_dirs(data);
  std::string path = pod::pods::pod_dir(data, dir, kUuid);
  pod::make_dirs(path);
  pod::write_file_atomic(path + "/pod", R"({"acKind":"PodManifest","acVersion":"0.8.11",
      "apps":[{"name":"web","image":{"id":"sha512-1"},"annotations":[{"name":"a","value":"b"}]}],
      "annotations":[{"name":"team","value":"infra"}]})");
  return path;
}

}  // namespace

TEST_CASE("a pod's state comes from /proc/locks: locked in run/ is running, else exited") {
  pod::TempPath data = pod::make_temp_dir("/tmp", "api-pods-");
  std::string path = make_pod(data.path(), DirState::run);
  PodReader reader(data.path());
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  auto entries = reader.scan();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].state == PodState::running);
  ::close(fd);
  entries = reader.scan();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].state == PodState::exited);
  auto rec = reader.read(entries[0]);
  REQUIRE(rec.has_value());
  REQUIRE(rec->info.apps.size() == 1);
  CHECK(rec->apps[0].annotations.get("a") == "b");
  CHECK(rec->annotations.get("team") == "infra");
  CHECK(reader.read_all(entries).size() == 1);
}

TEST_CASE("a pod that moved is found where it went; one that is gone is left out") {
  pod::TempPath data = pod::make_temp_dir("/tmp", "api-pods-");
  std::string path = make_pod(data.path(), DirState::prepared);
  PodReader reader(data.path());
  auto entries = reader.scan();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].state == PodState::prepared);
  std::string garbage = pod::pods::pod_dir(data.path(), DirState::garbage, kUuid);
  REQUIRE(::rename(path.c_str(), garbage.c_str()) == 0);
  auto rec = reader.read(entries[0]);
  REQUIRE(rec.has_value());
  CHECK(rec->entry.state == PodState::garbage);
  CHECK(rec->gc_marked_at > 0);
  REQUIRE(reader.find(kUuid).has_value());
  pod::remove_tree(garbage);
  CHECK_FALSE(reader.read(entries[0]).has_value());
  CHECK_FALSE(reader.find(kUuid).has_value());
  CHECK(reader.scan().empty());
}

TEST_CASE("the cgroup of a process") {
  CHECK(cgroup_from_proc("12:pids:/x\n1:name=systemd:/machine.slice/p.scope\n0::/u\n") ==
        "/machine.slice/p.scope");
  CHECK(cgroup_from_proc("0::/user.slice/session.scope\n") == "/user.slice/session.scope");
  CHECK(cgroup_from_proc("").empty());
}
