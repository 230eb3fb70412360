#!/usr/bin/env bash
# stage1-kvm: `pod run` of /bin/true to its exit, against a bare boot of the same kernel
# with an initramfs that powers off at once (same qemu machine, accelerator and memory),
# in the same run. The difference is ours: pod init, the 9p share, the guest's boot
# program, stage0 and stage1. Then the VM's memory: qemu's resident set on the host
# against what the app itself uses in the guest. TCG unless KVM passes run's probe.
# Prints times and ratios; never pass/fail. Run by hand, as root.
# Usage: bench/kvm.sh [BUILD_DIR] [RUNS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build=$(realpath "${1:-build}")
runs=${2:-3}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
stage1=$build/stage1-images/stage1-kvm.aci
tree=$build/stage1-images/stage1-kvm/rootfs/kvm
qemu=/usr/bin/qemu-system-x86_64
bench_require "build pod, test_images and stage1_kvm_aci; install qemu-system-x86 and busybox-static" \
  "$pod" "$busybox_aci" "$stage1" "$tree/vmlinux" "$qemu" /bin/busybox
bench_require_root

bench_scratch kvm
sleeper=
cleanup() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
  bench_scratch_remove
}
trap cleanup EXIT

# The bare guest: busybox as /init, powering off as soon as the kernel has started it.
mkdir -p "$work/bare/bin"
cp /bin/busybox "$work/bare/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox reboot -f\n' > "$work/bare/init"
chmod +x "$work/bare/init"
(cd "$work/bare" && find . | cpio --quiet -o -H newc) > "$work/bare.cpio"
khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)


"${P[@]}" fetch --insecure-options=image "$busybox_aci" >/dev/null 2>&1
"${P[@]}" fetch --insecure-options=image "$stage1" >/dev/null 2>&1
# Interleaved, so that the load of the machine weighs on both alike; wall and CPU seconds
# (user + system of everything started: on a busy machine the CPU time is the steadier).
TIMEFORMAT='%R %U %S'
for _ in $(seq "$runs"); do
  { time "${P[@]}" run --pull-policy=never --stage1-path="$stage1" --net=none pod.dev/busybox --exec=/bin/true \
      2>"$work/run.err" ; } 2>>"$work/run.t"
  { time "$qemu" -M microvm -accel tcg -cpu max -m 256M -smp 1 -nodefaults -no-user-config -display none -no-reboot \
      -kernel "$tree/vmlinux" -initrd "$work/bare.cpio" -serial none \
      -append "console=ttyS0 quiet reboot=t panic=-1 tsc_early_khz=$khz" ; } 2>>"$work/bare.t"
done
run_s=$(awk '{print $1}' "$work/run.t" | median)
bare_s=$(awk '{print $1}' "$work/bare.t" | median)
run_cpu=$(awk '{print $2 + $3}' "$work/run.t" | median)
bare_cpu=$(awk '{print $2 + $3}' "$work/bare.t" | median)
printf 'pod run /bin/true, to its exit:   %6.2f s wall, %6.2f s CPU (medians of %d)\n' "$run_s" "$run_cpu" "$runs"
printf 'bare qemu boot + power-off:       %6.2f s wall, %6.2f s CPU\n' "$bare_s" "$bare_cpu"
printf "ours (run - bare):                %6.2f s wall, %6.2f s CPU; run/bare = %.2f wall, %.2f CPU\n" \
  "$(echo "$run_s - $bare_s" | bc)" "$(echo "$run_cpu - $bare_cpu" | bc)" \
  "$(echo "$run_s / $bare_s" | bc -l)" "$(echo "$run_cpu / $bare_cpu" | bc -l)"
grep -m1 TCG "$work/run.err" || true

# Memory: a pod that sleeps; qemu's resident set against the app's and the guest's own use.
"${P[@]}" run --pull-policy=never --stage1-path="$stage1" --net=none --uuid-file-save="$work/uuid" \
  pod.dev/busybox --exec=/bin/sleep -- 600 >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 600); do
  [ -s "$work/uuid" ] && "${P[@]}" status --format=json "$(cat "$work/uuid")" 2>/dev/null | grep -q '"pid"' && break
  sleep 0.5
done
uuid=$(cat "$work/uuid")
qpid=$("${P[@]}" status --format=json "$uuid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
qemu_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$qpid/status")
app_kib=$("${P[@]}" enter "$uuid" /bin/sh -c 'for p in /proc/[0-9]*; do
  [ "$(cat $p/comm)" = sleep ] && awk "/^VmRSS/ {print \$2}" $p/status; done; true' | head -n1)
guest_kib=$("${P[@]}" enter "$uuid" /bin/sh -c 'awk "/^MemTotal/ {t=\$2} /^MemAvailable/ {a=\$2} END {print t-a}" /proc/meminfo')
printf 'qemu resident on the host:        %6d KiB\n' "$qemu_kib"
printf 'used in the guest (all):          %6d KiB\n' "$guest_kib"
printf 'the app (sleep) itself:           %6d KiB (VmRSS in the guest)\n' "$app_kib"
printf 'VM overhead beyond the app:       %6d KiB on the host, %d KiB of it outside what the guest uses\n' \
  "$((qemu_kib - app_kib))" "$((qemu_kib - guest_kib))"
