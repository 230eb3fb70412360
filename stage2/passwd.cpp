#include "stage2/passwd.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage2 {

std::optional<uint32_t> parse_id(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value >= 0xffffffffULL)
    return std::nullopt;
  return static_cast<uint32_t>(value);
}

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for (const auto& line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 7 || f[0].empty()) continue;
    auto uid = parse_id(f[2]);
    auto gid = parse_id(f[3]);
    if (!uid || !gid) continue;
    out.push_back(PasswdEntry{f[0], *uid, *gid, f[5], f[6]});
  }
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> out;
  for (const auto& line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 4 || f[0].empty()) continue;
    auto gid = parse_id(f[2]);
    if (!gid) continue;
    GroupEntry g{f[0], *gid, {}};
    if (!f[3].empty()) {
      for (auto& m : split(f[3], ',')) {
        if (!m.empty()) g.members.push_back(m);
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

ResolvedUser resolve_user(std::string_view user, const std::vector<PasswdEntry>& passwd,
                          std::string_view passwd_path) {
  if (auto uid = parse_id(user)) {
    for (const auto& e : passwd) {
      if (e.uid == *uid) return {*uid, e};
    }
    return {*uid, std::nullopt};
  }
  for (const auto& e : passwd) {
    if (e.name == user) return {e.uid, e};
  }
  if (user == "root") return {0, std::nullopt};
  Error err("user \"" + std::string(user) + "\" not found in " + std::string(passwd_path) +
            " of the app's rootfs");
  err.set_hint("use a numeric uid, or add the user to the image's " + std::string(passwd_path));
  throw err;
}

uint32_t resolve_group(std::string_view group, const std::vector<GroupEntry>& groups,
                       std::string_view group_path) {
  if (auto gid = parse_id(group)) return *gid;
  for (const auto& g : groups) {
    if (g.name == group) return g.gid;
  }
  if (group == "root") return 0;
  Error err("group \"" + std::string(group) + "\" not found in " + std::string(group_path) +
            " of the app's rootfs");
  err.set_hint("use a numeric gid, or add the group to the image's " + std::string(group_path));
  throw err;
}

}  // namespace pod::stage2
