#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

TEST_CASE("a program name is found through an OCI image's layers, topmost first") {
  TempPath root = make_temp_dir("/tmp", "exec-layers-");
  const std::string top = root.path() + "/top", base = root.path() + "/base";
  make_dirs(top + "/usr/bin");
  make_dirs(base + "/bin");
  make_dirs(base + "/usr/bin");
  write_file_atomic(base + "/bin/tool", "#!/bin/sh\n", 0755);
  write_file_atomic(base + "/usr/bin/gone", "#!/bin/sh\n", 0755);
  write_file_atomic(base + "/usr/bin/shadowed", "#!/bin/sh\n", 0755);
  write_file_atomic(top + "/usr/bin/shadowed", "now data", 0644);
  // An overlay whiteout (char device 0/0) in the top layer deletes the base layer's file.
  REQUIRE(::mknod((top + "/usr/bin/gone").c_str(), S_IFCHR | 0000, makedev(0, 0)) == 0);

  const std::vector<std::string> layers = {top, base};
  CHECK(find_program_in_layers(layers, "tool", kAppDefaultPath) == "/bin/tool");
  CHECK(find_program_in_layers(layers, "gone", kAppDefaultPath) == std::nullopt);
  CHECK(find_program_in_layers(layers, "shadowed", "/usr/bin") == std::nullopt);
  CHECK(resolve_exec("tool", kAppDefaultPath, "registry.test/app", layers) == "/bin/tool");
}
