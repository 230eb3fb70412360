#!/usr/bin/env bash
# Times `pod list` and `pod gc` with many exited pods (default 1000), made by real
# `pod run`s of /bin/true, four at a time. Not a test: run it by hand, as root.
# Usage: bench/list_gc.sh [BUILD_DIR] [PODS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build=$(realpath "${1:-build}")
count=${2:-1000}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
bench_require "build the pod, test_images and stage1_fly_aci targets" \
  "$pod" "$busybox_aci" "$build/stage1-images/stage1-fly.aci"
bench_require_root

bench_scratch list-gc
cleanup() {
  bench_scratch_remove
}
trap cleanup EXIT

"${P[@]}" run --insecure-options=image "$busybox_aci" --exec=/bin/true 2>/dev/null
start=$(date +%s%N)
seq 2 "$count" | xargs -P 4 -I{} "${P[@]}" run --pull-policy=never pod.dev/busybox --exec=/bin/true
made=$(date +%s%N)
n=$(ls "$work/data/pods/run" | wc -l)
[ "$n" = "$count" ] || { echo "list_gc.sh: expected $count pods, found $n" >&2; exit 1; }

timed() {  # timed LABEL CMD... : wall time of one run, output discarded
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  printf "%-44s %8d ms\n" "$label" $(((t1 - t0) / 1000000))
}
printf "%-44s %8d ms  (%d ms per pod, 4 in parallel)\n" "creating $count pods with pod run" \
  $(((made - start) / 1000000)) $(((made - start) / 1000000 / count))
timed "pod list ($count exited pods)" "${P[@]}" list
timed "pod list --format=json ($count pods)" "${P[@]}" list --format=json
timed "pod gc --mark-only ($count pods)" "${P[@]}" gc --mark-only
timed "pod list ($count exited-garbage pods)" "${P[@]}" list
timed "pod gc --grace-period=0s ($count pods)" "${P[@]}" gc --grace-period=0s
left=$(find "$work/data/pods" -mindepth 2 -maxdepth 2 | wc -l)
echo "pods left after gc: $left"
