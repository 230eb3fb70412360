#include "stage2/identity.hpp"

#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"

namespace pod::stage2 {

void switch_identity(const Identity& id) {
  // The kernel clears the parent-death signal when the uid or gid changes; a stage1 that
  // asked for one (fly: the app dies with its stage1) must keep it.
  int parent_death_signal = 0;
  (void)prctl(PR_GET_PDEATHSIG, &parent_death_signal, 0, 0, 0);  // 0 stays 0 on failure
  const pid_t parent = getppid();

  std::vector<gid_t> groups(id.supplementary_gids.begin(), id.supplementary_gids.end());
  check_sys(setgroups(groups.size(), groups.data()), "setting the supplementary groups");
  check_sys(setresgid(id.gid, id.gid, id.gid), "setting gid " + std::to_string(id.gid));
  check_sys(setresuid(id.uid, id.uid, id.uid), "setting uid " + std::to_string(id.uid));

  if (parent_death_signal != 0) {
    check_sys(prctl(PR_SET_PDEATHSIG, parent_death_signal, 0, 0, 0), "restoring the parent-death signal");
    // The parent may have died while the signal was cleared.
    if (getppid() != parent) throw Error("the stage1 process that started the app has exited");
  }
}

}  // namespace pod::stage2
