// The last unmount of a pod's overlays, off `pod run`'s exit path.
//
// stage0 mounts the pod's overlays in a mount namespace of the pod's own and executes
// stage1 there, so the namespace dies with the last process in it. Dropping an overlay
// whose upper directory is on the host's file system syncs that whole file system
// (overlayfs' sync_fs on unmount: every dirty page on it, other programs' included), and
// the kernel does it in the exiting process before its parent learns of the exit: on a busy
// machine 5-30 ms added to every `pod run`, which `unshare -m chroot` does not pay.
//
// A holder is a child forked after the mounts, with nothing open, that stays in the
// namespace until the process that forked it (stage1's run after the exec) has exited
// (PR_SET_PDEATHSIG), and then exits itself: the unmounts, and the sync, happen in it, after
// `pod run` has returned. Nothing else changes: the mounts are invisible outside the
// namespace, the holder holds no lock or pipe of the pod, and a kill -9 of `pod run` kills it.
#pragma once

#include <sys/types.h>

#include <optional>

namespace pod::pods {

// Forks the holder; its pid, or nullopt when it could not be forked (nothing is lost then:
// the namespace dies with stage1, as without it). Call it after the pod's mounts, before
// executing stage1, in a single-threaded process.
[[nodiscard]] std::optional<pid_t> fork_mount_namespace_holder() noexcept;

}  // namespace pod::pods
