// Opening directories inside an extraction target without ever following a symlink
// (internal to aci/): openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) where the kernel has
// it, a component-by-component O_NOFOLLOW walk where it does not.
#pragma once

#include <string>

#include "common/fd.hpp"

namespace pod::aci {

// Opens directory `rel` ("a/b", "" for root itself) below `rootfd`. Missing components are
// created (mode 0755) when `create` is set. A symlink or non-directory on the way throws
// Error (ELOOP/ENOTDIR) naming the component.
[[nodiscard]] UniqueFd open_dir_beneath(int rootfd, const std::string& rel, bool create);

}  // namespace pod::aci
