#include <doctest/doctest.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/pods/stage1_config.hpp"
#include "stage0/version.hpp"

using namespace pod;
using namespace pod::pods;

TEST_CASE("rkt's stage1 configuration format") {
  auto d = parse_stage1_config(
      R"({"rktKind":"stage1","rktVersion":"v1","name":"example.com/stage1","version":"1.2","location":"/x/s1.aci"})",
      "f.json");
  REQUIRE(d);
  CHECK(d->name == "example.com/stage1");
  CHECK(d->version == "1.2");
  CHECK(d->location == "/x/s1.aci");
  CHECK_FALSE(parse_stage1_config(R"({"rktKind":"paths","rktVersion":"v1"})", "f.json"));
  CHECK_THROWS_WITH_AS((void)parse_stage1_config("{nope", "bad.json"), doctest::Contains("bad.json"), Error);
  CHECK_THROWS_AS((void)parse_stage1_config(R"({"rktKind":"stage1","name":"x"})", "f.json"), Error);
  CHECK_THROWS_AS((void)parse_stage1_config(R"({"rktKind":"stage1","version":"1"})", "f.json"), Error);
}

TEST_CASE("the local configuration overrides the system one") {
  TempPath root = make_temp_dir("/tmp", "pods-test-");
  std::string sys = root.path() + "/sys", local = root.path() + "/local";
  CHECK_FALSE(load_stage1_default(sys, local));
  make_dirs(sys + "/stage1.d");
  write_file_atomic(sys + "/stage1.d/s.json",
                    R"({"rktKind":"stage1","rktVersion":"v1","name":"a.com/s","version":"1","location":"/a"})");
  CHECK(load_stage1_default(sys, local)->name == "a.com/s");
  make_dirs(local + "/stage1.d");
  write_file_atomic(local + "/stage1.d/s.json",
                    R"({"rktKind":"stage1","rktVersion":"v1","name":"b.com/s","version":"2","location":"/b"})");
  CHECK(load_stage1_default(sys, local)->name == "b.com/s");

  CHECK(stage1_images_dir(sys, local) == kStage1ImagesDir);
  make_dirs(local + "/paths.d");
  write_file_atomic(local + "/paths.d/p.json",
                    R"({"rktKind":"paths","rktVersion":"v1","stage1-images":"/opt/s1"})");
  CHECK(stage1_images_dir(sys, local) == "/opt/s1");
}

TEST_CASE("the built-in stage1 is looked for beside the binary, then where installed") {
  auto c = builtin_stage1_candidates("/opt/s1");
  REQUIRE(c.size() == 2);
  std::string file = std::string("stage1-") + kDefaultStage1Flavor + ".aci";
  CHECK(c[0].find("/../stage1-images/" + file) != std::string::npos);
  CHECK(c[1] == "/opt/s1/" + file);
}
