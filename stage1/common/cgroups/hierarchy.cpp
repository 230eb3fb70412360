#include "stage1/common/cgroups/hierarchy.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1::cgroups {

std::string Hierarchy::mount_options() const { return join(controllers, ","); }

std::vector<Hierarchy> parse_proc_cgroup(std::string_view text) {
  std::vector<Hierarchy> out;
  for (const auto& raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    auto c1 = line.find(':');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    Hierarchy h;
    auto id = line.substr(0, c1);
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), h.id);
    if (c2 == std::string_view::npos || ec != std::errc() || end != id.data() + id.size())
      throw Error("reading /proc/self/cgroup: malformed line \"" + std::string(line) + "\"");
    auto ctrls = line.substr(c1 + 1, c2 - c1 - 1);
    if (!ctrls.empty()) h.controllers = split(ctrls, ',');
    h.path = std::string(line.substr(c2 + 1));
    out.push_back(std::move(h));
  }
  return out;
}

const Hierarchy* v1_hierarchy_for(const std::vector<Hierarchy>& hs, std::string_view controller) {
  for (const auto& h : hs) {
    if (h.unified()) continue;
    for (const auto& c : h.controllers)
      if (c == controller) return &h;
  }
  return nullptr;
}

const Hierarchy* unified_hierarchy(const std::vector<Hierarchy>& hs) {
  for (const auto& h : hs)
    if (h.unified()) return &h;
  return nullptr;
}

std::vector<std::string> parse_controllers(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& w : split(trim(text), ' '))
    if (!w.empty()) out.push_back(w);
  return out;
}

}  // namespace pod::stage1::cgroups
