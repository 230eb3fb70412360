#include "aci/entry_path.hpp"

#include "common/error.hpp"

namespace pod::aci {

namespace {

// Splits on '/', dropping empty and "." components; refuses "..".
std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    if (c == "..") throw Error("refused: \"..\" in the path could escape the image");
    if (!c.empty() && c != ".") out.emplace_back(c);
    i = j + 1;
  }
  return out;
}

std::string join_components(const std::vector<std::string>& c, size_t from) {
  std::string out;
  for (size_t i = from; i < c.size(); ++i) {
    if (!out.empty()) out += '/';
    out += c[i];
  }
  return out;
}

}  // namespace

EntryPath classify_entry_path(std::string_view name) {
  if (name.empty()) throw Error("refused: an entry with an empty name");
  if (name.front() == '/') throw Error("refused: absolute path (ACI entries are relative)");
  auto c = components(name);
  if (c.empty()) throw Error("refused: the name is not under manifest or rootfs/");
  if (c[0] == "manifest" && c.size() == 1) return {EntryPath::Area::manifest, {}};
  if (c[0] == "rootfs") return {EntryPath::Area::rootfs, join_components(c, 1)};
  throw Error("refused: not under manifest or rootfs/ (the appc spec allows nothing else)");
}

PathWhitelist::PathWhitelist(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    auto c = components(p);
    std::string rel = join_components(c, 0);
    listed_.insert(rel);
    std::string prefix;
    ancestors_.insert(prefix);
    for (size_t i = 0; i + 1 < c.size(); ++i) {
      if (!prefix.empty()) prefix += '/';
      prefix += c[i];
      ancestors_.insert(prefix);
    }
  }
}

bool PathWhitelist::keeps(const std::string& rel, bool is_directory) const {
  if (listed_.empty() || rel.empty()) return true;
  if (listed_.count(rel)) return true;
  return is_directory && ancestors_.count(rel) > 0;
}

}  // namespace pod::aci
