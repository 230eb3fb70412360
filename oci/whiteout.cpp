#include "oci/whiteout.hpp"

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::oci {

EntryClass classify_entry(std::string_view name) {
  std::string n(name);
  while (starts_with(n, "./")) n.erase(0, 2);
  while (!n.empty() && n.back() == '/') n.pop_back();
  auto slash = n.rfind('/');
  std::string dir = slash == std::string::npos ? "" : n.substr(0, slash);
  std::string leaf = slash == std::string::npos ? n : n.substr(slash + 1);
  if (!starts_with(leaf, kWhiteoutPrefix)) return {EntryKind::plain, dir, {}};
  if (leaf == kOpaqueMarker) return {EntryKind::opaque, dir, {}};
  std::string target = leaf.substr(kWhiteoutPrefix.size());
  if (target.empty() || target == "." || target == ".." || starts_with(target, kWhiteoutPrefix))
    throw Error("refused: whiteout entry \"" + std::string(name) + "\" names no file");
  return {EntryKind::whiteout, dir, target};
}

}  // namespace pod::oci
