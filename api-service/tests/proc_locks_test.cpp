#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "api-service/proc_locks.hpp"
#include "common/temp_path.hpp"

using namespace pod::api;

TEST_CASE("/proc/locks lines: granted flock write locks only") {
  auto t = LockTable::parse(
      "1: FLOCK  ADVISORY  WRITE 15549 fe:00:10960833 0 EOF\n"
      "1: -> FLOCK  ADVISORY  WRITE 15550 fe:00:42 0 EOF\n"
      "2: FLOCK  ADVISORY  READ 15551 fe:00:43 0 EOF\n"
      "3: POSIX  ADVISORY  WRITE 15552 08:01:44 0 EOF\n"
      "garbage\n");
  CHECK(t.size() == 1);
  CHECK(t.locked({makedev(0xfe, 0), 10960833}));
  CHECK_FALSE(t.locked({makedev(0xfe, 0), 42}));
}

TEST_CASE("a directory we lock shows up as locked, and not once unlocked") {
  pod::TempPath dir = pod::make_temp_dir("/tmp", "api-locks-");
  FileKey key = file_key(dir.path());
  int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  CHECK(LockTable::read().locked(key));
  ::close(fd);
  CHECK_FALSE(LockTable::read().locked(key));
}
