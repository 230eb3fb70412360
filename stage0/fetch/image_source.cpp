#include "stage0/fetch/image_source.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/reference.hpp"
#include "stage0/fetch/url.hpp"

namespace pod::fetch {

namespace {

std::string absolute(const std::string& path) {
  if (starts_with(path, "/")) return path;
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) throw_errno("finding the current directory");
  return path_join(buf, path);
}

}  // namespace

ImageSource classify_image(std::string_view arg) {
  std::string a(arg);
  if (a.empty()) throw UsageError("an empty image argument");
  if (starts_with(a, "sha512-")) return {SourceKind::image_id, a};
  if (oci::is_oci_reference(a)) return {SourceKind::oci, a};
  if (looks_like_url(a)) {
    UrlParts u = parse_url(a);
    if (u.scheme == "file") return {SourceKind::file, u.path};
    if (u.scheme == "http" || u.scheme == "https") return {SourceKind::url, a};
    throw UsageError("unsupported image URL scheme \"" + u.scheme + "\" in " + a, 0,
                     "use a file path, an https:// URL or an image name");
  }
  if (starts_with(a, "/") || starts_with(a, "./") || starts_with(a, "../") ||
      ends_with(a, ".aci") || (path_exists(a) && !is_directory(a)))
    return {SourceKind::file, absolute(a)};
  return {SourceKind::name, a};
}

}  // namespace pod::fetch
