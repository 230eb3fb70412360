// Where an ACI tar entry may go (internal to aci/). The appc spec allows only
// "manifest" and "rootfs/..."; anything absolute, with "..", or elsewhere is refused.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pod::aci {

struct EntryPath {
  enum class Area { manifest, rootfs };
  Area area = Area::rootfs;
  // Normalised path inside rootfs ("bin/sh"); empty for rootfs itself and for the manifest.
  std::string rel;
};

// Throws Error saying why a name is refused. "./" prefixes and "//" are tolerated.
[[nodiscard]] EntryPath classify_entry_path(std::string_view name);

// The spec's pathWhitelist: only the listed paths (absolute, relative to rootfs) and the
// directories leading to them are kept. An empty list keeps everything.
class PathWhitelist {
 public:
  explicit PathWhitelist(const std::vector<std::string>& paths);
  [[nodiscard]] bool empty() const noexcept { return listed_.empty(); }
  // `rel` as in EntryPath::rel (no leading slash).
  [[nodiscard]] bool keeps(const std::string& rel, bool is_directory) const;

 private:
  std::set<std::string> listed_;     // "bin/sh"
  std::set<std::string> ancestors_;  // "bin", and "" for rootfs
};

}  // namespace pod::aci
