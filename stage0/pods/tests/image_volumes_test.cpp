#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "oci/whiteout.hpp"
#include "stage0/pods/image_volumes.hpp"
#include "stage0/store/oci_tree.hpp"

using namespace pod;
using namespace pod::pods;

namespace {

aci::RuntimeApp app_with_mount_points(const std::string& name,
                                      const std::vector<std::pair<std::string, std::string>>& mps) {
  aci::RuntimeApp ra;
  ra.name = name;
  ra.app = aci::App{};
  for (const auto& [n, p] : mps) {
    aci::MountPoint mp;
    mp.name = n;
    mp.path = p;
    ra.app->mount_points.push_back(mp);
  }
  return ra;
}

}  // namespace

TEST_CASE("an OCI image's mount points without a volume get an empty volume of their app's own") {
  aci::PodManifest m;
  m.apps.push_back(app_with_mount_points("web", {{"volume-data", "/data"}, {"volume-cache", "/var/cache/"}}));
  m.apps.push_back(app_with_mount_points("web-2", {{"volume-data", "/data"}}));
  m.apps.push_back(app_with_mount_points("aci", {{"volume-data", "/data"}}));
  auto added = add_image_volumes(m, {true, true, false});
  REQUIRE(added.size() == 3);
  CHECK(added[0].volume == "web-volume-data");
  CHECK(added[0].path == "/data");
  CHECK(added[1].volume == "web-volume-cache");
  CHECK(added[1].path == "/var/cache");  // normalized, as stage1 compares paths
  CHECK(added[2].volume == "web-2-volume-data");  // two apps of one image: two volumes
  CHECK(added[2].app == 1);
  REQUIRE(m.volumes.size() == 3);
  CHECK(m.volumes[0].kind == "empty");
  REQUIRE(m.apps[0].mounts.size() == 2);
  CHECK(m.apps[0].mounts[0].volume == "web-volume-data");
  CHECK(m.apps[0].mounts[0].path == "/data");
  CHECK(m.apps[2].mounts.empty());  // an ACI's mount points are left as they are
}

TEST_CASE("a volume or mount the user gave for a mount point is kept, and names stay unique") {
  aci::PodManifest m;
  m.apps.push_back(app_with_mount_points("web", {{"volume-data", "/data"}, {"volume-logs", "/logs"},
                                                 {"volume-tmp", "/tmp"}}));
  aci::Volume given;
  given.name = "volume-data";  // --volume volume-data,kind=host,source=/srv
  given.kind = "host";
  given.source = "/srv";
  m.volumes.push_back(given);
  aci::Volume taken;
  taken.name = "web-volume-tmp";  // a user's volume already has the name pod would choose
  taken.kind = "empty";
  m.volumes.push_back(taken);
  aci::Mount mount;  // --mount volume=mine,target=/logs
  mount.volume = "web-volume-tmp";
  mount.path = "/logs/";
  m.apps[0].mounts.push_back(mount);
  auto added = add_image_volumes(m, {true});
  REQUIRE(added.size() == 1);
  CHECK(added[0].volume == "web-volume-tmp-2");
  CHECK(added[0].path == "/tmp");
  CHECK(m.volumes.size() == 3);
}

TEST_CASE("a volume is seeded with what the layers show at its path, whiteouts applied") {
  TempPath root = make_temp_dir("/tmp", "image-volumes-");
  const std::string base = root.path() + "/tree/l/1", top = root.path() + "/tree/l/0";
  make_dirs(base + "/srv/data/sub");
  make_dirs(base + "/srv/hidden");
  write_file_atomic(base + "/srv/data/kept", "kept", 0600);
  write_file_atomic(base + "/srv/data/gone", "gone", 0644);
  write_file_atomic(base + "/srv/data/sub/deep", "deep", 0644);
  write_file_atomic(base + "/srv/hidden/old", "old", 0644);
  REQUIRE(::chown((base + "/srv/data/kept").c_str(), 1000, 2000) == 0);
  make_dirs(top + "/srv/data");
  make_dirs(top + "/srv/hidden");
  REQUIRE(::chmod((top + "/srv/data").c_str(), 0750) == 0);
  REQUIRE(::chown((top + "/srv/data").c_str(), 1000, 1000) == 0);
  write_file_atomic(top + "/srv/data/new", "new", 0644);
  REQUIRE(::mknod((top + "/srv/data/gone").c_str(), S_IFCHR | 0000, makedev(0, 0)) == 0);
  REQUIRE(::lsetxattr((top + "/srv/hidden").c_str(), oci::kOverlayOpaqueXattr, "y", 1, 0) == 0);
  write_file_atomic(top + "/srv/hidden/fresh", "fresh", 0644);
  REQUIRE(::symlink("/srv/data", (top + "/link").c_str()) == 0);
  store::TreeLower lower{root.path() + "/tree", "l/0:l/1", true};

  const std::string out = root.path() + "/vol";
  REQUIRE(store::copy_layers_at(lower, "/link", out));  // symlinks resolved inside the image
  CHECK(read_file(out + "/kept") == "kept");
  CHECK(read_file(out + "/new") == "new");
  CHECK(read_file(out + "/sub/deep") == "deep");
  CHECK_FALSE(path_exists(out + "/gone"));
  struct stat st;
  REQUIRE(::lstat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  CHECK(st.st_uid == 1000);
  REQUIRE(::lstat((out + "/kept").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_gid == 2000);

  const std::string hidden = root.path() + "/hidden";
  REQUIRE(store::copy_layers_at(lower, "/srv/hidden", hidden));
  CHECK(list_dir(hidden) == std::vector<std::string>{"fresh"});  // opaque: nothing from below
  char v[2];
  CHECK(::lgetxattr(hidden.c_str(), oci::kOverlayOpaqueXattr, v, sizeof v) < 0);

  CHECK_FALSE(store::copy_layers_at(lower, "/srv/data/kept", root.path() + "/file"));
  CHECK_FALSE(store::copy_layers_at(lower, "/absent", root.path() + "/absent"));
  CHECK_FALSE(path_exists(root.path() + "/absent"));
  CHECK(read_file(base + "/srv/data/gone") == "gone");  // the layers are never written

  // The app's overlay upper: an empty opaque directory at the resolved path, parents
  // as the layers have them.
  const std::string upper = root.path() + "/upper";
  make_dirs(upper);
  store::mask_in_upper(lower, "/link", upper);
  CHECK(list_dir(upper + "/srv/data").empty());
  CHECK(::lgetxattr((upper + "/srv/data").c_str(), oci::kOverlayOpaqueXattr, v, sizeof v) == 1);
  REQUIRE(::lstat((upper + "/srv/data").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  CHECK(st.st_uid == 1000);
  CHECK_FALSE(path_exists(upper + "/link"));
  store::mask_in_upper(lower, "/absent", upper);
  CHECK_FALSE(path_exists(upper + "/absent"));
}
