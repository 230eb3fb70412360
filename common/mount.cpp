#include "common/mount.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod {

MountGuard& MountGuard::operator=(MountGuard&& o) noexcept {
  if (this != &o) {
    MountGuard old(release());
    target_ = o.release();
  }
  return *this;
}

MountGuard::~MountGuard() {
  if (target_.empty()) return;
  if (::umount2(target_.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    std::fprintf(stderr, "pod: warning: unmounting %s: %s\n", target_.c_str(), std::strerror(errno));
}

MountGuard mount_or_throw(const std::string& source, const std::string& target,
                          const std::string& fstype, unsigned long flags, const std::string& data) {
  if (::mount(source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) < 0) {
    std::string what = "mounting " + (fstype.empty() ? std::string() : fstype + " ") + source +
                       " at " + target;
    throw_errno(what);
  }
  // Propagation and remount changes do not create a new mount to own.
  if (flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
    return MountGuard();
  return MountGuard(target);
}

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  auto oct = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) f.push_back(line.substr(i, j - i));
    i = j;
  }
  return f;
}

}  // namespace

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto f = split_spaces(line);
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    auto sep = std::find(f.begin(), f.end(), std::string_view("-"));
    if (f.size() < 7 || sep == f.end() || sep - f.begin() < 6 || f.end() - sep < 3) continue;
    MountInfo m;
    m.id = std::atoi(std::string(f[0]).c_str());
    m.parent_id = std::atoi(std::string(f[1]).c_str());
    m.root = unescape(f[3]);
    m.mount_point = unescape(f[4]);
    m.options = std::string(f[5]);
    m.fstype = std::string(sep[1]);
    m.source = unescape(sep[2]);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MountInfo> read_mountinfo(const std::string& path) {
  return parse_mountinfo(read_file(path));
}

std::vector<std::string> mounts_under(const std::vector<MountInfo>& mounts,
                                      std::string_view prefix) {
  std::string p(prefix);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::vector<std::string> out;
  for (const auto& m : mounts) {
    const auto& mp = m.mount_point;
    if (mp == p || (mp.size() > p.size() && mp.compare(0, p.size(), p) == 0 && mp[p.size()] == '/'))
      out.push_back(mp);
  }
  // Deeper paths first; among equal paths (stacked mounts) the later one first.
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  return out;
}

int unmount_tree(std::string_view prefix) {
  auto targets = mounts_under(read_mountinfo(), prefix);
  int n = 0;
  for (auto it = targets.begin(); it != targets.end(); ++it) {
    if (::umount2(it->c_str(), MNT_DETACH) == 0) {
      ++n;
    } else if (errno != EINVAL && errno != ENOENT) {
      throw_errno("unmounting " + *it);
    }
  }
  return n;
}

}  // namespace pod
