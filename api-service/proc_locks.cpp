#include "api-service/proc_locks.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <charconv>
#include <vector>

#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::api {

namespace {

template <class T>
bool parse_number(std::string_view s, T& out, int base) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// "fe:00:10960833": major and minor in hex, the inode in decimal.
bool parse_device_inode(std::string_view field, FileKey& key) {
  auto parts = split(field, ':');
  if (parts.size() != 3) return false;
  unsigned major = 0;
  unsigned minor = 0;
  uint64_t ino = 0;
  if (!parse_number(parts[0], major, 16) || !parse_number(parts[1], minor, 16) ||
      !parse_number(parts[2], ino, 10))
    return false;
  key = {makedev(major, minor), ino};
  return true;
}

}  // namespace

LockTable LockTable::parse(std::string_view text) {
  LockTable t;
  for (const auto& line : split(text, '\n')) {
    // "1: FLOCK  ADVISORY  WRITE 15549 fe:00:10960833 0 EOF"
    std::vector<std::string> f;
    for (const auto& w : split(line, ' '))
      if (!w.empty()) f.push_back(w);
    if (f.size() < 6 || f[1] == "->") continue;
    if (f[1] != "FLOCK" || f[3] != "WRITE") continue;
    FileKey key;
    if (parse_device_inode(f[5], key)) t.held_.insert(key);
  }
  return t;
}

LockTable LockTable::read() { return parse(read_file("/proc/locks")); }

FileKey file_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return {0, 0};
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

}  // namespace pod::api
