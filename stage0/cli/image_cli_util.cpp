#include "stage0/cli/image_cli_util.hpp"

#include <ctime>

#include "aci/names.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "oci/reference.hpp"

namespace pod::cli {

store::Store open_image_store(const GlobalOptions& global) {
  return store::Store::open(global.dir, global.logger());
}

store::ImageRecord image_for_argument(const store::Store& st, const std::string& arg) {
  return st.resolve(arg);
}

std::vector<store::ImageRecord> images_for_argument(const store::Store& st,
                                                    const std::string& arg) {
  if (starts_with(arg, "sha512-") || oci::is_oci_reference(arg)) return {st.resolve(arg)};
  aci::ImageReference ref =
      with_context("image name \"" + arg + "\"", [&] { return aci::parse_image_reference(arg); });
  std::vector<store::ImageRecord> out;
  for (auto& r : st.list()) {
    if (r.name != ref.name) continue;
    bool all = true;
    for (const auto& l : ref.labels) all = all && r.labels.get(l.name) == l.value;
    if (all) out.push_back(std::move(r));
  }
  if (out.empty()) {
    Error e("image \"" + arg + "\" is not in the store");
    e.set_hint("'pod image list' shows the images in the store");
    throw e;
  }
  return out;
}

std::string display_name(const store::ImageRecord& r) {
  auto v = r.labels.get("version");
  return v ? r.name + ":" + *v : r.name;
}

std::string relative_time(int64_t then, int64_t now) {
  int64_t d = now - then;
  if (d < 0) d = 0;
  auto ago = [](int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (d < 1) return "just now";
  if (d < 60) return ago(d, "second");
  if (d < 3600) return ago(d / 60, "minute");
  if (d < 86400) return ago(d / 3600, "hour");
  if (d < 86400 * 30) return ago(d / 86400, "day");
  if (d < 86400 * 365) return ago(d / (86400 * 30), "month");
  return ago(d / (86400 * 365), "year");
}

std::string absolute_time(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  struct tm tm;
  if (!localtime_r(&t, &tm)) return std::to_string(unix_seconds);
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm) == 0)
    return std::to_string(unix_seconds);
  return buf;
}

std::string strip_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace pod::cli

#include <stdio.h>
#include <sys/stat.h>

#include "common/fs.hpp"
#include "common/temp_path.hpp"

namespace pod::cli {

void place_tree(const std::string& dir_arg, bool overwrite, bool rootfs_only,
                const std::function<void(const std::string& tree)>& build) {
  std::string dir = strip_trailing_slashes(dir_arg);
  with_context("writing " + dir, [&] {
    bool exists = path_exists(dir);
    if (exists && !overwrite)
      throw Error(dir + " already exists", 0, "add --overwrite to replace it");
    std::string parent = parent_dir(dir);
    TempPath work = make_temp_dir(parent, ".pod-image-");
    std::string tree = work.path() + "/tree";
    build(tree);
    std::string result = rootfs_only ? tree + "/rootfs" : tree;
    if (::chmod(result.c_str(), 0755) < 0) throw_errno("setting the mode of " + result);
    if (exists) {
      // Move the old one aside first; it goes away with `work` once the new one is in place.
      if (::rename(dir.c_str(), (work.path() + "/old").c_str()) < 0)
        throw_errno("moving the old " + dir + " aside");
    }
    if (::rename(result.c_str(), dir.c_str()) < 0) throw_errno("moving the result to " + dir);
  });
}

}  // namespace pod::cli
