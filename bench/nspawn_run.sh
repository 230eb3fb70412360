#!/usr/bin/env bash
# stage1-nspawn's start and stop cost: `pod run` of /bin/true (busybox image, --net=host)
# against systemd-nspawn itself on the same kind of tree
# (`systemd-nspawn --register=no --keep-unit -D <tree> /bin/true`), and pod init's
# resident memory with one app running. Prints times and the ratio of one run; never
# pass/fail. Run by hand, as root.
# Usage: [STAGE1_BEFORE=<stage1-nspawn.aci> | POD_BEFORE=<pod binary>] bench/nspawn_run.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=$(realpath "${1:-build}")
runs=${2:-20}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
stage1=$build/stage1-images/stage1-nspawn.aci
for f in "$pod" "$busybox_aci" "$stage1" /usr/bin/systemd-nspawn; do
  [ -e "$f" ] || { echo "nspawn_run.sh: $f is missing: build pod, test_images and stage1_nspawn_aci; install systemd-container" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "nspawn_run.sh: pods need root" >&2; exit 1; }

work=$(mktemp -d /tmp/pod-bench-nspawn.XXXXXX)
P=("$pod" --dir="$work/data" --local-config="$work/etc" --system-config="$work/sys" --user-config="$work/user")
sleeper=
cleanup() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
  "${P[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
"${P[@]}" run --insecure-options=image --stage1-path="$stage1" --net=host "$busybox_aci" --exec=/bin/true 2>/dev/null

# The peer: the busybox image's rendered tree (plus the /usr nspawn insists on), as
# systemd-nspawn's root, with nspawn's state on a private tmpfs as pod's run keeps it.
tree=$work/peer
cp -a "$(dirname "$(ls -d "$work"/data/cas/tree/*/rootfs/bin/busybox | head -1)")/.." "$tree"
mkdir -p "$tree/usr"
# Interleaved, one of each in turn, so a change of the machine's load (the CPUs are
# shared) hits both sides alike; medians per run. STAGE1_BEFORE=<an older
# stage1-nspawn.aci> adds a third column: the same pod run with that stage1.
ns_cmd="systemd-nspawn --quiet --register=no --keep-unit -D '$tree' /bin/true"
pod_cmd="${P[*]} run --pull-policy=never --net=host pod.dev/busybox --exec=/bin/true"
before=${STAGE1_BEFORE:-}
# POD_BEFORE=<an older pod binary>: the third column runs that binary with this stage1.
if [ -n "${POD_BEFORE:-}" ]; then
  before=$stage1
  pod_before_cmd="$POD_BEFORE ${P[*]:1} run --pull-policy=never --net=host pod.dev/busybox --exec=/bin/true"
else
  pod_before_cmd=$pod_cmd
fi
[ -n "$before" ] && "${P[@]}" run --insecure-options=image --stage1-path="$before" --net=host pod.dev/busybox --exec=/bin/true 2>/dev/null
unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs tmpfs /run/systemd/nspawn &&
  for i in \$(seq $runs); do
    t0=\$(date +%s%N); $ns_cmd; t1=\$(date +%s%N)
    $pod_cmd --stage1-path='$stage1' 2>/dev/null; t2=\$(date +%s%N)
    if [ -n '$before' ]; then $pod_before_cmd --insecure-options=image --stage1-path='$before' 2>/dev/null; fi; t3=\$(date +%s%N)
    echo \$(( (t1 - t0) / 1000 )) \$(( (t2 - t1) / 1000 )) \$(( (t3 - t2) / 1000 ))
  done" > "$work/times"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
peer=$(awk '{ print $1 }' "$work/times" | median)
ours=$(awk '{ print $2 }' "$work/times" | median)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "systemd-nspawn -D tree /bin/true: $(( peer / 1000 )) ms per run (median of $runs, interleaved)"
echo "pod run (stage1-nspawn, --net=host): $(( ours / 1000 )) ms per run"
if [ -n "$before" ]; then
  old=$(awk '{ print $3 }' "$work/times" | median)
  echo "pod run with ${POD_BEFORE:-$(basename "$before")}: $(( old / 1000 )) ms per run"
  awk -v a="$old" -v b="$peer" 'BEGIN { printf "ratio before/nspawn: %.2f\n", a / b }'
fi
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "ratio pod/nspawn: %.2f\n", a / b }'

"${P[@]}" run --pull-policy=never --stage1-path="$stage1" --net=host pod.dev/busybox --exec=/bin/sleep -- 30 \
  >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 100); do
  init=$(pgrep -f '^/nspawn/init --uuid=' | head -1 || true)
  [ -n "$init" ] && grep -q sleep /proc/*/cmdline 2>/dev/null && break
  sleep 0.05
done
sleep 0.3
echo "pod init RSS: $(awk '/VmRSS/ {print $2, $3}' "/proc/$init/status") (VmHWM $(awk '/VmHWM/ {print $2, $3}' "/proc/$init/status"))"
