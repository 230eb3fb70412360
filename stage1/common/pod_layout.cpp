#include "stage1/common/pod_layout.hpp"

#include <unistd.h>

#include <climits>

#include "common/error.hpp"

namespace pod::stage1 {

PodLayout PodLayout::from_cwd() {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof(buf))) throw_errno("finding the pod directory (getcwd)");
  return PodLayout(buf);
}

}  // namespace pod::stage1
