// Switching the process to the app's uid, gid and supplementary groups.
#pragma once

#include <cstdint>
#include <vector>

namespace pod::stage2 {

struct Identity {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> supplementary_gids;  // exactly these; the launcher's own are dropped
};

// setgroups, setresgid, setresuid, in that order (groups first, while we may still).
// A parent-death signal set by the caller survives the change (the kernel clears it).
void switch_identity(const Identity& id);

}  // namespace pod::stage2
