#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage1/common/exit_status.hpp"
#include "stage1/common/host_files.hpp"
#include "stage1/common/in_root.hpp"

using namespace pod;
using namespace pod::stage1;

TEST_CASE("path components") {
  CHECK(path_components("/a//b/./c/") == std::vector<std::string>{"a", "b", "c"});
  CHECK(path_components("/").empty());
  CHECK(path_components("a/../b") == std::vector<std::string>{"a", "..", "b"});
}

TEST_CASE("directories are created inside the root, whatever the image's symlinks say") {
  TempPath tmp = make_temp_dir("/tmp", "pod-in-root-");
  std::string root = tmp.path() + "/root";
  std::string outside = tmp.path() + "/outside";
  make_dirs(root);
  make_dirs(outside);
  // An absolute symlink to a host path, a relative one climbing out, and a dangling one.
  REQUIRE(symlink(outside.c_str(), (root + "/abs").c_str()) == 0);
  REQUIRE(symlink("../../../../outside", (root + "/rel").c_str()) == 0);
  REQUIRE(symlink("/made/by/link", (root + "/dangling").c_str()) == 0);
  UniqueFd rootfd = open_fd(root, O_PATH | O_DIRECTORY);

  (void)make_dir_in_root(rootfd.get(), "/abs/x");
  CHECK(is_directory(root + outside + "/x"));
  CHECK(list_dir(outside).empty());

  (void)make_dir_in_root(rootfd.get(), "/rel/y");
  CHECK(is_directory(root + "/outside/y"));
  CHECK(list_dir(outside).empty());

  (void)make_dir_in_root(rootfd.get(), "/dangling/z");
  CHECK(is_directory(root + "/made/by/link/z"));

  UniqueFd file = make_file_in_root(rootfd.get(), "/abs/etc/resolv.conf");
  CHECK(path_exists(root + outside + "/etc/resolv.conf"));
  CHECK(list_dir(outside).empty());

  // A dangling file symlink, as Debian images have for /etc/resolv.conf.
  make_dirs(root + "/etc");
  REQUIRE(symlink("../run/resolvconf/resolv.conf", (root + "/etc/resolv.conf").c_str()) == 0);
  (void)make_file_in_root(rootfd.get(), "/etc/resolv.conf");
  CHECK(path_exists(root + "/run/resolvconf/resolv.conf"));

  CHECK_FALSE(try_open_in_root(rootfd.get(), "/missing", O_PATH));
  CHECK_THROWS_AS((void)open_in_root(rootfd.get(), "/missing", O_PATH), Error);
  CHECK(fd_path(7) == "/proc/self/fd/7");
}

TEST_CASE("exit status and pid files") {
  TempPath tmp = make_temp_dir("/tmp", "pod-status-");
  PodLayout pod(tmp.path());
  CHECK(read_exit_status(pod, "web") == -1);
  write_exit_status(pod, "web", 143);
  CHECK(read_file(tmp.path() + "/stage1/rootfs/rkt/status/web") == "143");
  CHECK(read_exit_status(pod, "web") == 143);
  write_pid_file(pod, 4242);
  CHECK(read_file(tmp.path() + "/pid") == "4242");
  CHECK(pod.app_rootfs("web") == tmp.path() + "/stage1/rootfs/opt/stage2/web/rootfs");
}

TEST_CASE("generated resolv.conf") {
  CHECK(resolv_conf_for({"192.0.2.1", "2001:db8::1"}) == "nameserver 192.0.2.1\nnameserver 2001:db8::1\n");
}
