#!/usr/bin/env bash
# Mutable pods: `pod app add` + `pod app start` of /bin/true (busybox image) in a running
# sandbox against `pod run` of the same app with the same network, in the same run (target:
# under half its time, since the namespaces, cgroups and network exist already). Also the
# time until the started app has exited, read with `pod app status`. Prints times and
# ratios; never pass/fail. Run by hand, as root.
# Usage: bench/app.sh [BUILD_DIR] [RUNS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build=$(realpath "${1:-build}")
runs=${2:-20}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
stage1=$build/stage1-images/stage1-nspawn.aci
bench_require "build pod, test_images and stage1_nspawn_aci; install systemd-container" \
  "$pod" "$busybox_aci" "$stage1" /usr/bin/systemd-nspawn
bench_require_root
net=host
[ -x /usr/lib/cni/ptp ] && net=default

bench_scratch app
sandbox=
cleanup() {
  [ -n "$sandbox" ] && kill "$sandbox" 2>/dev/null && wait "$sandbox" 2>/dev/null
  bench_scratch_remove
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

"${P[@]}" fetch --insecure-options=image "$busybox_aci" >/dev/null
"${P[@]}" run --pull-policy=never --stage1-path="$stage1" --net=$net pod.dev/busybox --exec=/bin/true 2>/dev/null

t0=$(now_ms)
for _ in $(seq "$runs"); do
  "${P[@]}" run --pull-policy=never --stage1-path="$stage1" --net=$net pod.dev/busybox --exec=/bin/true 2>/dev/null
done
run_ms=$(( $(now_ms) - t0 ))

"${P[@]}" app sandbox --stage1-path="$stage1" --net=$net >"$work/sandbox.out" 2>&1 &
sandbox=$!
for _ in $(seq 600); do grep -qE '^[0-9a-f-]{36}$' "$work/sandbox.out" && break; sleep 0.05; done
uuid=$(grep -E '^[0-9a-f-]{36}$' "$work/sandbox.out")

add_start_ms=0
exited_ms=0
for i in $(seq "$runs"); do
  t0=$(now_ms)
  "${P[@]}" app add --pull-policy=never "$uuid" pod.dev/busybox --name="t$i" --exec=/bin/true
  "${P[@]}" app start "$uuid" --app="t$i"
  t1=$(now_ms)
  until "${P[@]}" app status "$uuid" --app="t$i" | grep -q '^state=exited'; do sleep 0.002; done
  t2=$(now_ms)
  add_start_ms=$(( add_start_ms + t1 - t0 ))
  exited_ms=$(( exited_ms + t2 - t0 ))
done
"${P[@]}" stop "$uuid" >/dev/null
wait "$sandbox" || true
sandbox=

echo "pod run --net=$net /bin/true: $(( run_ms / runs )) ms per run ($runs runs)"
echo "pod app add + app start in a sandbox: $(( add_start_ms / runs )) ms per app"
echo "pod app add + app start + app exited: $(( exited_ms / runs )) ms per app"
awk -v a="$add_start_ms" -v b="$run_ms" 'BEGIN { printf "ratio (add+start)/run: %.2f\n", a / b }'
awk -v a="$exited_ms" -v b="$run_ms" 'BEGIN { printf "ratio (add+start+exited)/run: %.2f\n", a / b }'
