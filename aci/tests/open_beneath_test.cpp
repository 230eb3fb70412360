// open_dir_beneath: the one way extraction reaches a directory inside its target.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aci/open_beneath.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

using namespace pod;

TEST_CASE("open_dir_beneath creates missing directories and never goes through a symlink") {
  TempPath root = make_temp_dir("/tmp", "pod-beneath-test-");
  std::string tree = root.path() + "/tree";
  std::string outside = root.path() + "/outside";
  make_dirs(tree);
  make_dirs(outside);
  UniqueFd tfd = open_dir(tree);

  UniqueFd made = aci::open_dir_beneath(tfd.get(), "a/b/c", true);
  CHECK(is_directory(tree + "/a/b/c"));
  struct stat got, want;
  REQUIRE(::fstat(made.get(), &got) == 0);
  REQUIRE(::stat((tree + "/a/b/c").c_str(), &want) == 0);
  CHECK(got.st_ino == want.st_ino);

  CHECK_THROWS_AS((void)aci::open_dir_beneath(tfd.get(), "missing", false), Error);

  REQUIRE(::symlink(outside.c_str(), (tree + "/a/escape").c_str()) == 0);
  CHECK_THROWS_WITH_AS((void)aci::open_dir_beneath(tfd.get(), "a/escape/x", true),
                       doctest::Contains("a/escape is a symlink"), Error);
  REQUIRE(::symlink("b", (tree + "/a/inside").c_str()) == 0);
  // Even a link that stays inside the tree is not followed.
  CHECK_THROWS_AS((void)aci::open_dir_beneath(tfd.get(), "a/inside/c", false), Error);
  write_file_atomic(tree + "/a/file", "x");
  CHECK_THROWS_AS((void)aci::open_dir_beneath(tfd.get(), "a/file/x", true), Error);
  CHECK_THROWS_AS((void)aci::open_dir_beneath(tfd.get(), "a/../../outside", true), Error);
  CHECK(list_dir(outside).empty());
}
