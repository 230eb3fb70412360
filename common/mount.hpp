// Mounts owned by RAII, and a linear parser of /proc/self/mountinfo.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pod {

// Unmounts (lazily, MNT_DETACH) when the owner goes away, unless released.
class MountGuard {
 public:
  MountGuard() = default;
  explicit MountGuard(std::string target) : target_(std::move(target)) {}
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;
  MountGuard(MountGuard&& o) noexcept : target_(o.release()) {}
  MountGuard& operator=(MountGuard&& o) noexcept;
  ~MountGuard();

  [[nodiscard]] const std::string& target() const noexcept { return target_; }
  [[nodiscard]] std::string release() noexcept { return std::exchange(target_, {}); }

 private:
  std::string target_;
};

// mount(2) throwing an Error that names source, target and type.
[[nodiscard]] MountGuard mount_or_throw(const std::string& source, const std::string& target,
                                        const std::string& fstype, unsigned long flags,
                                        const std::string& data = {});

struct MountInfo {
  int id = 0;
  int parent_id = 0;
  std::string root;         // root of the mount within its filesystem
  std::string mount_point;  // unescaped
  std::string options;
  std::string fstype;
  std::string source;
};

// Parses mountinfo text in one pass (rkt's quadratic parsing made gc of many pods slow).
[[nodiscard]] std::vector<MountInfo> parse_mountinfo(std::string_view text);
[[nodiscard]] std::vector<MountInfo> read_mountinfo(const std::string& path = "/proc/self/mountinfo");

// Mount points at or below `prefix`, deepest first: the order to unmount them in.
[[nodiscard]] std::vector<std::string> mounts_under(const std::vector<MountInfo>& mounts,
                                                    std::string_view prefix);

// Unmounts everything at or below `prefix` (MNT_DETACH), deepest first. Returns how many.
int unmount_tree(std::string_view prefix);

}  // namespace pod
