#include <doctest/doctest.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/pods/exec_lookup.hpp"

using namespace pod;
using namespace pod::pods;

TEST_CASE("a program name is found along the app's PATH inside the image") {
  TempPath root = make_temp_dir("/tmp", "exec-lookup-");
  const std::string rootfs = root.path();
  make_dirs(rootfs + "/bin");
  make_dirs(rootfs + "/opt/tools");
  write_file_atomic(rootfs + "/bin/data", "not executable", 0644);
  write_file_atomic(rootfs + "/opt/tools/serve", "#!/bin/sh\n", 0755);
  REQUIRE(::symlink("/bin/busybox", (rootfs + "/bin/sh").c_str()) == 0);  // dangles on the host

  CHECK(find_program_in_image(rootfs, "sh", kAppDefaultPath) == "/bin/sh");
  CHECK(find_program_in_image(rootfs, "data", kAppDefaultPath) == std::nullopt);
  CHECK(find_program_in_image(rootfs, "serve", kAppDefaultPath) == std::nullopt);
  CHECK(find_program_in_image(rootfs, "serve", "relative:/opt/tools") == "/opt/tools/serve");

  CHECK(resolve_exec("sh", kAppDefaultPath, "example.com/web", rootfs) == "/bin/sh");
  CHECK(resolve_exec("serve", "/opt/tools", "example.com/web", rootfs) == "/opt/tools/serve");
  CHECK(resolve_exec("/already/absolute", kAppDefaultPath, "example.com/web", rootfs) ==
        "/already/absolute");
  CHECK_THROWS_WITH_AS((void)resolve_exec("missing", kAppDefaultPath, "example.com/web", rootfs),
                       doctest::Contains("\"missing\" not found"), Error);
  CHECK_THROWS_WITH_AS((void)resolve_exec("bin/sh", kAppDefaultPath, "example.com/web", rootfs),
                       doctest::Contains("relative path"), Error);
}
