// Protecting the host kernel's knobs from an app that shares the host's kernel: with
// fly's default capabilities a root app could still write most of /proc/sys (a plain
// uid 0 check) and read /proc/kcore's neighbours. As rkt's "paths" protection did, and
// unless --disable-paths (rkt's --insecure-options=paths) is given, stage1 makes the
// tunables read-only and hides what no app needs.
#pragma once

namespace pod::stage1 {

// Read-only: /proc/sys /proc/sysrq-trigger /proc/bus /proc/irq /proc/fs.
// Hidden (an empty read-only tmpfs or /dev/null over them): /proc/kcore /proc/kallsyms
// /proc/sched_debug /proc/timer_list /proc/keys /sys/firmware /sys/hypervisor /sys/power
// /sys/module. Paths the kernel does not have are skipped. Call after /proc and /sys
// are mounted in the rootfs.
void protect_kernel_paths(int rootfd);

}  // namespace pod::stage1
