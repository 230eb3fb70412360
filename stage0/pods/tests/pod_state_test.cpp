#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/pods/pod.hpp"
#include "stage0/pods/resolve.hpp"

using namespace pod;
using namespace pod::pods;

namespace {

// Holds an exclusive flock on a pod directory through an fd of its own, as another
// process (stage1, another pod command) would.
struct ForeignLock {
  explicit ForeignLock(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY)) {
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  }
  ~ForeignLock() { ::close(fd); }
  int fd;
};

}  // namespace

TEST_CASE("a new pod is created in embryo and moved to prepare, locked") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  CHECK(p.dir_state() == DirState::prepare);
  CHECK(p.holds_lock());
  CHECK(p.state() == PodState::preparing);
  CHECK(is_directory(root.path() + "/pods/prepare/" + p.uuid()));
  CHECK_FALSE(path_exists(root.path() + "/pods/embryo/" + p.uuid()));
  // Seen from another handle, the lock says "preparing".
  Pod other = Pod::open(root.path(), p.uuid());
  CHECK(other.state() == PodState::preparing);
  CHECK_FALSE(other.lock_exclusive(false));
  p.unlock();
  CHECK(other.state() == PodState::aborted_prepare);
}

TEST_CASE("states follow the directory and the lock, as rkt defines them") {
  CHECK(observed_state(DirState::prepared, false) == PodState::prepared);
  CHECK(observed_state(DirState::run, true) == PodState::running);
  CHECK(observed_state(DirState::run, false) == PodState::exited);
  CHECK(observed_state(DirState::exited_garbage, false) == PodState::exited_garbage);
  CHECK(observed_state(DirState::garbage, true) == PodState::deleting);
  CHECK(state_name(PodState::aborted_prepare) == "aborted prepare");
  CHECK(state_name(PodState::exited_garbage) == "exited garbage");
  CHECK(dir_state_name(DirState::exited_garbage) == "exited-garbage");
}

TEST_CASE("transitions: prepare -> prepared -> run (running while locked, exited when free)") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  std::string uuid = p.uuid();
  p.move_to(DirState::prepared);
  p.unlock();
  CHECK(Pod::open(root.path(), uuid).state() == PodState::prepared);

  Pod runner = Pod::open(root.path(), uuid);
  REQUIRE(runner.lock_exclusive(false));
  runner.move_to(DirState::run);
  {
    // stage1 holds the lock through an inherited dup: the pod is running while it lives.
    UniqueFd inherited = runner.inheritable_lock_fd();
    CHECK((::fcntl(inherited.get(), F_GETFD) & FD_CLOEXEC) == 0);
    runner.unlock();  // unlocking our fd releases the shared open file description's lock too
  }
  CHECK(Pod::open(root.path(), uuid).state() == PodState::exited);
  {
    ForeignLock held(root.path() + "/pods/run/" + uuid);
    CHECK(Pod::open(root.path(), uuid).state() == PodState::running);
  }
  CHECK(Pod::open(root.path(), uuid).state() == PodState::exited);
}

TEST_CASE("moving a pod needs its lock") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  p.unlock();
  CHECK_THROWS_AS(p.move_to(DirState::prepared), Error);
  CHECK(p.dir_state() == DirState::prepare);
}

TEST_CASE("a handle re-finds its pod after another command moved it") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  p.move_to(DirState::prepared);
  Pod stale = Pod::open(root.path(), p.uuid());  // opened while in prepared/
  p.move_to(DirState::run);
  p.unlock();
  REQUIRE(stale.lock_exclusive(true));
  CHECK(stale.dir_state() == DirState::run);
  CHECK(stale.state() == PodState::running);  // our own lock counts
}

TEST_CASE("a removed pod cannot be locked and opening an unknown pod names it") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  std::string uuid = p.uuid();
  Pod other = Pod::open(root.path(), uuid);
  p.destroy();
  p.unlock();
  CHECK_FALSE(path_exists(root.path() + "/pods/prepare/" + uuid));
  CHECK_THROWS_WITH_AS((void)other.lock_exclusive(true), doctest::Contains("was removed"), Error);
  CHECK_THROWS_WITH_AS((void)Pod::open(root.path(), uuid), doctest::Contains(uuid.c_str()), Error);
}

TEST_CASE("marking for garbage records the time in the directory's mtime") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  std::string path = p.path();
  struct timespec old_times[2] = {{1000, 0}, {1000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), old_times, 0) == 0);
  p.move_to(DirState::garbage);
  struct stat st {};
  REQUIRE(::stat(p.path().c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec > 1000);
}

TEST_CASE("list_pods sees every state directory") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod a = Pod::create(root.path());
  Pod b = Pod::create(root.path());
  b.move_to(DirState::run);
  make_dirs(root.path() + "/pods/run/not-a-uuid");
  auto all = list_pods(root.path());
  REQUIRE(all.size() == 2);
  for (const auto& loc : all)
    CHECK(loc.dir == (loc.uuid == a.uuid() ? DirState::prepare : DirState::run));
}

TEST_CASE("a brief probe of the lock is not mistaken for a pod in use") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  Pod p = Pod::create(root.path());
  p.move_to(DirState::prepared);
  p.unlock();
  std::string path = p.path();
  {
    // A `pod list` probing the pod: a shared lock held for 30 ms.
    int probe = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(::flock(probe, LOCK_SH) == 0);
    std::thread release([probe] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      ::close(probe);
    });
    Pod other = Pod::open(root.path(), p.uuid());
    CHECK(other.lock_exclusive_unless_in_use());
    release.join();
  }
  {
    ForeignLock running(path);  // held throughout: the pod is in use
    Pod other = Pod::open(root.path(), p.uuid());
    CHECK_FALSE(other.lock_exclusive_unless_in_use());
  }
}
