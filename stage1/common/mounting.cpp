#include "stage1/common/mounting.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "stage1/common/in_root.hpp"

namespace pod::stage1 {

void bind_mount(int source_fd, int target_fd, const BindOptions& options, const std::string& what) {
  with_context(what, [&] {
    unsigned int tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
    if (options.recursive) tree_flags |= AT_RECURSIVE;
    UniqueFd tree(open_tree(source_fd, "", tree_flags));
    if (!tree) throw_errno("cloning the source mount (open_tree)");
    if (options.read_only) {
      struct mount_attr attr{};
      attr.attr_set = MOUNT_ATTR_RDONLY;
      unsigned int at_flags = AT_EMPTY_PATH | (options.recursive ? AT_RECURSIVE : 0);
      check_sys(mount_setattr(tree.get(), "", at_flags, &attr, sizeof(attr)), "making it read-only");
    }
    check_sys(move_mount(tree.get(), "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
              "attaching it (move_mount)");
  });
}

void mount_filesystem(const std::string& fstype, int target_fd, unsigned long flags,
                      const std::string& data, const std::string& what) {
  if (mount(fstype.c_str(), fd_path(target_fd).c_str(), fstype.c_str(), flags,
            data.empty() ? nullptr : data.c_str()) != 0) {
    throw_errno(what + ": mounting " + fstype);
  }
}

bool is_mount_root(int fd) {
  struct statx st{};
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0) return false;
  return (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

void make_mounts_private() {
  check_sys(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr),
            "making the pod's mounts private (mount --make-rprivate /)");
}

}  // namespace pod::stage1
