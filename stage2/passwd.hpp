// The app's user database: /etc/passwd and /etc/group of the app's rootfs, parsed
// here rather than through getpwnam(3), because NSS would consult the host's
// configuration and libraries, not the image's, and a static binary cannot load them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::stage2 {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
  std::string shell;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// Lines that do not have the file's fields (comments, NIS "+" lines, garbage) are skipped,
// as glibc's files backend skips them.
[[nodiscard]] std::vector<PasswdEntry> parse_passwd(std::string_view text);
[[nodiscard]] std::vector<GroupEntry> parse_group(std::string_view text);

// A decimal id, nullopt when `text` is anything else (ids are below 2^32-1, which is (uid_t)-1).
[[nodiscard]] std::optional<uint32_t> parse_id(std::string_view text);

struct ResolvedUser {
  uint32_t uid = 0;
  std::optional<PasswdEntry> entry;  // the passwd line of that uid, when there is one
};

// The app's "user": a number (always valid, looked up for HOME/USER when present), a name
// found in `passwd`, or "root" (uid 0 even in an image without /etc/passwd). Throws Error
// naming the user and `passwd_path` otherwise.
[[nodiscard]] ResolvedUser resolve_user(std::string_view user, const std::vector<PasswdEntry>& passwd,
                                        std::string_view passwd_path);
// The same for "group" against /etc/group.
[[nodiscard]] uint32_t resolve_group(std::string_view group, const std::vector<GroupEntry>& groups,
                                     std::string_view group_path);

}  // namespace pod::stage2
