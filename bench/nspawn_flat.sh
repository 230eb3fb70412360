#!/usr/bin/env bash
# Is stage1-nspawn's start flat? `pod run` of /bin/true (--net=host) timed, interleaved and
# as medians, with:
#   - the busybox image (about 1 MiB) against the same image carrying 512 MiB more
#     (the rootfs is an overlay of the rendered tree: its size should not matter);
#   - no other pod running against 50 running sandboxes (pods of `sleep`, each its own
#     systemd-nspawn and pod init) on the same host.
# Prints the medians and the ratios; never pass/fail. Run by hand, as root.
# Usage: bench/nspawn_flat.sh [BUILD_DIR] [RUNS] [RUNNING_PODS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build=$(realpath "${1:-build}")
runs=${2:-15}
running=${3:-50}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
stage1=$build/stage1-images/stage1-nspawn.aci
bench_require "build pod, test_images and stage1_nspawn_aci; install systemd-container" \
  "$pod" "$busybox_aci" "$stage1" /usr/bin/systemd-nspawn
bench_require_root

bench_scratch flat
sleepers=()
cleanup() {
  for p in "${sleepers[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${sleepers[@]}"; do wait "$p" 2>/dev/null || true; done
  bench_scratch_remove
}
trap cleanup EXIT

# The big image: busybox plus 512 MiB of zeros (quick to build; rendered once, like any).
big=$work/big
mkdir -p "$big/rootfs"
tar -xzf "$busybox_aci" -C "$big"
sed -i 's|"pod.dev/busybox"|"pod.dev/busybox-big"|' "$big/manifest"
head -c 512M /dev/zero > "$big/rootfs/big.bin"
"$pod" image build --overwrite "$big" "$work/big.aci" >/dev/null
rm -rf "$big"
R=("${P[@]}" run --pull-policy=never --stage1-path="$stage1" --net=host)
"${P[@]}" run --insecure-options=image --stage1-path="$stage1" --net=host "$busybox_aci" --exec=/bin/true 2>/dev/null
"${P[@]}" run --insecure-options=image --stage1-path="$stage1" --net=host "$work/big.aci" --exec=/bin/true 2>/dev/null

ms() { echo $(( ($(date +%s%N) - $1) / 1000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# Interleaved pairs: a change of the shared machine's load hits both sides alike.
pairs() {  # $1, $2: image names; prints "us_first us_second" per run
  for _ in $(seq "$runs"); do
    t=$(date +%s%N); "${R[@]}" "$1" --exec=/bin/true 2>/dev/null; a=$(ms "$t")
    t=$(date +%s%N); "${R[@]}" "$2" --exec=/bin/true 2>/dev/null; b=$(ms "$t")
    echo "$a $b"
  done
}
pairs pod.dev/busybox pod.dev/busybox-big > "$work/size"
small=$(awk '{ print $1 }' "$work/size" | median)
large=$(awk '{ print $2 }' "$work/size" | median)

idle=$(for _ in $(seq "$runs"); do t=$(date +%s%N); "${R[@]}" pod.dev/busybox --exec=/bin/true 2>/dev/null; ms "$t"; done | median)
for _ in $(seq "$running"); do
  "${R[@]}" pod.dev/busybox --exec=/bin/sleep -- 3600 >/dev/null 2>&1 &
  sleepers+=($!)
done
# Until every sandbox's app runs.
for _ in $(seq 600); do
  [ "$(pgrep -cf '^/bin/sleep 3600$' || true)" -ge "$running" ] && break
  sleep 0.1
done
busy=$(for _ in $(seq "$runs"); do t=$(date +%s%N); "${R[@]}" pod.dev/busybox --exec=/bin/true 2>/dev/null; ms "$t"; done | median)

awk -v runs="$runs" -v n="$running" -v s="$small" -v l="$large" -v i="$idle" -v b="$busy" 'BEGIN {
  printf "pod run (stage1-nspawn, --net=host) /bin/true, median of %d runs\n", runs
  printf "%-36s %8.1f ms\n", "busybox image (~1 MiB)", s / 1000
  printf "%-36s %8.1f ms\n", "busybox + 512 MiB", l / 1000
  printf "%-36s %8.2f\n", "ratio 512 MiB / 1 MiB", l / s
  printf "%-36s %8.1f ms\n", "no other pod running", i / 1000
  printf "%-36s %8.1f ms\n", n " sandboxes running", b / 1000
  printf "%-36s %8.2f\n", "ratio " n " running / 0 running", b / i
}'
