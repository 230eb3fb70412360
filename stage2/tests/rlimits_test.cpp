#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage2/rlimits.hpp"

using namespace pod;
using namespace pod::stage2;

TEST_CASE("rlimit settings parse") {
  auto a = parse_rlimit("NOFILE=1024:4096");
  CHECK(a.resource == RLIMIT_NOFILE);
  CHECK(a.name == "NOFILE");
  CHECK(a.soft == 1024);
  CHECK(a.hard == 4096);

  auto b = parse_rlimit("RLIMIT_NPROC=100");
  CHECK(b.resource == RLIMIT_NPROC);
  CHECK(b.name == "NPROC");
  CHECK(b.soft == 100);
  CHECK(b.hard == 100);

  auto c = parse_rlimit("CORE=0:unlimited");
  CHECK(c.soft == 0);
  CHECK(c.hard == RLIM_INFINITY);
}

TEST_CASE("bad rlimit settings are usage errors") {
  CHECK_THROWS_AS((void)parse_rlimit("NOFILE"), UsageError);
  CHECK_THROWS_AS((void)parse_rlimit("FILES=10"), UsageError);
  CHECK_THROWS_AS((void)parse_rlimit("NOFILE=ten"), UsageError);
  CHECK_THROWS_AS((void)parse_rlimit("NOFILE=10:5"), UsageError);
  CHECK_THROWS_AS((void)parse_rlimit("NOFILE=unlimited:5"), UsageError);
}

TEST_CASE("defaults are systemd's NOFILE, capped by nr_open, and explicit settings win") {
  auto d = default_rlimits(1048576);
  REQUIRE(d.size() == 1);
  CHECK(d[0].soft == 1024);
  CHECK(d[0].hard == 524288);
  CHECK(default_rlimits(4096)[0].hard == 4096);
  auto merged = merge_rlimits(d, {parse_rlimit("NOFILE=10:20"), parse_rlimit("NPROC=5")});
  REQUIRE(merged.size() == 2);
  CHECK(merged[0].soft == 10);
  CHECK(merged[1].name == "NPROC");
}
