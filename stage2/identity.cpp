#include "stage2/identity.hpp"

#include <grp.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"

namespace pod::stage2 {

void switch_identity(const Identity& id) {
  std::vector<gid_t> groups(id.supplementary_gids.begin(), id.supplementary_gids.end());
  check_sys(setgroups(groups.size(), groups.data()), "setting the supplementary groups");
  check_sys(setresgid(id.gid, id.gid, id.gid), "setting gid " + std::to_string(id.gid));
  check_sys(setresuid(id.uid, id.uid, id.uid), "setting uid " + std::to_string(id.uid));
}

}  // namespace pod::stage2
