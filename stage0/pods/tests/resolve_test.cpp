#include <doctest/doctest.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/pods/resolve.hpp"

using namespace pod;
using namespace pod::pods;

namespace {
const std::vector<PodLocation> kPods = {
    {"1a2b3c4d-0000-4000-8000-000000000001", DirState::run},
    {"1a2b3c4d-0000-4000-8000-000000000002", DirState::prepared},
    {"9f000000-0000-4000-8000-000000000003", DirState::exited_garbage},
};
}

TEST_CASE("a unique prefix resolves to the full UUID, case-insensitively") {
  CHECK(resolve_uuid_in(kPods, "9f") == kPods[2].uuid);
  CHECK(resolve_uuid_in(kPods, "9F00") == kPods[2].uuid);
  CHECK(resolve_uuid_in(kPods, "1a2b3c4d-0000-4000-8000-000000000002") == kPods[1].uuid);
}

TEST_CASE("an ambiguous prefix names the prefix and the candidates") {
  try {
    (void)resolve_uuid_in(kPods, "1a2b");
    FAIL("no throw");
  } catch (const UsageError&) {
    FAIL("ambiguity is not a usage error");
  } catch (const Error& e) {
    std::string what = e.what();
    CHECK(what.find("\"1a2b\" is ambiguous") != std::string::npos);
    CHECK(what.find(kPods[0].uuid) != std::string::npos);
    CHECK(what.find(kPods[1].uuid) != std::string::npos);
    CHECK_FALSE(e.hint().empty());
  }
}

TEST_CASE("an unknown prefix names it; text that cannot be a UUID is a usage error") {
  CHECK_THROWS_WITH_AS((void)resolve_uuid_in(kPods, "77"), doctest::Contains("no matches found for \"77\""),
                       Error);
  CHECK_THROWS_AS((void)resolve_uuid_in(kPods, ""), UsageError);
  CHECK_THROWS_AS((void)resolve_uuid_in(kPods, "zz"), UsageError);
  CHECK_THROWS_AS((void)resolve_uuid_in(kPods, "../etc"), UsageError);
}

TEST_CASE("a pod listed twice (caught mid-rename) is not ambiguous with itself") {
  std::vector<PodLocation> twice = {kPods[2], {kPods[2].uuid, DirState::garbage}};
  CHECK(resolve_uuid_in(twice, "9f") == kPods[2].uuid);
}

TEST_CASE("uuid files round-trip and a bad one names the file") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  std::string f = root.path() + "/uuid";
  write_uuid_file(f, kPods[0].uuid);
  CHECK(read_file(f) == kPods[0].uuid);
  CHECK(read_uuid_file(f) == kPods[0].uuid);
  write_file_atomic(f, "nonsense\n");
  CHECK_THROWS_WITH_AS((void)read_uuid_file(f), doctest::Contains(f.c_str()), Error);
}
