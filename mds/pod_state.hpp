// What the service reads of a registered pod, always fresh from its directory (the pod
// directory layout of Documentation/stage1-abi.md): whether it still runs, its addresses,
// its manifests. Nothing is cached, so a pod that stops is noticed at its next request.
#pragma once

#include <string>
#include <vector>

namespace pod::mds {

// The pod directory exists and some process holds its exclusive flock (the pod's lock, held from
// `pod run` until the pod's last process exits). Read from /proc/locks, so the service
// never takes the lock itself and never gets in the way of `pod gc`.
[[nodiscard]] bool pod_running(const std::string& pod_dir);
// Same, on a /proc/locks text (for tests).
[[nodiscard]] bool flock_held(const std::string& proc_locks, unsigned long long dev_major,
                              unsigned long long dev_minor, unsigned long long inode);

// The pod's addresses on its networks (net-info.json); empty before networking is set up
// and for pods without a network namespace of their own.
[[nodiscard]] std::vector<std::string> pod_addresses(const std::string& pod_dir);

}  // namespace pod::mds
