#!/usr/bin/env bash
# Times `pod run` of a trivial app (/bin/true from busybox) with stage1-fly against the
# floor of what any runtime must do on the same tree: `chroot TREE /bin/true` and
# `unshare -m chroot TREE /bin/true`, in the same run; then `pod run` of an image with a
# 512 MiB file, to show that start time does not grow with the image (overlayfs over the
# store's tree, nothing copied). Not a test: run it by hand, as root.
# Usage: [POD_BEFORE=<an older pod binary>] bench/run.sh [BUILD_DIR] [RUNS]
# Every case runs once per round (interleaved), medians over the rounds; POD_BEFORE adds
# the same pod run with another pod binary in the same rounds, for a before/after ratio.
set -euo pipefail
build=$(realpath "${1:-build}")
runs=${2:-50}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
for f in "$pod" "$busybox_aci" "$build/stage1-images/stage1-fly.aci"; do
  [ -e "$f" ] || { echo "run.sh: $f is missing: build the pod, test_images and stage1_fly_aci targets" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run.sh: pods need root" >&2; exit 1; }

work=$(mktemp -d /tmp/pod-bench-run.XXXXXX)
cleanup() {
  "$pod" --dir="$work/data" gc --grace-period=0s >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
P=("$pod" --dir="$work/data" --local-config="$work/etc" --system-config="$work/sys" --user-config="$work/user")
# stage1-fly as the configured default stage1 (rkt's stage1.d; nspawn is the built-in
# default), so the measured commands name no stage1 and find it in the store by name.
fly_aci=$build/stage1-images/stage1-fly.aci
fly_version=$(tar -xOf "$fly_aci" manifest | python3 -c 'import json, sys
print(next(l["value"] for l in json.load(sys.stdin)["labels"] if l["name"] == "version"))')
mkdir -p "$work/etc/stage1.d"
printf '{"rktKind":"stage1","rktVersion":"v1","name":"pod.dev/stage1-fly","version":"%s","location":"%s"}\n' \
  "$fly_version" "$fly_aci" > "$work/etc/stage1.d/fly.json"

# A big image: busybox plus 512 MiB of data (zeros compress, so building it is quick; the
# rendered tree still holds 512 MiB).
big=$work/big
mkdir -p "$big/rootfs"
tar -xzf "$busybox_aci" -C "$big"
sed -i 's|"pod.dev/busybox"|"pod.dev/busybox-big"|' "$big/manifest"
head -c 512M /dev/zero > "$big/rootfs/big.bin"
"$pod" image build --overwrite "$big" "$work/big.aci" >/dev/null
rm -rf "$big"

# Import both images and warm everything up (first runs render trees, import stage1).
"${P[@]}" run --insecure-options=image "$busybox_aci" --exec=/bin/true 2>/dev/null
"${P[@]}" run --insecure-options=image "$work/big.aci" --exec=/bin/true 2>/dev/null
tree=$(dirname "$(ls -d "$work"/data/cas/tree/*/rootfs/bin/busybox | head -1)")/..
tree=$(realpath "$tree")
for t in "$work"/data/cas/tree/*/rootfs; do
  [ -e "$t/bin/busybox" ] && [ ! -e "$t/big.bin" ] && tree=$t
done

python3 - "$runs" "$tree" "${POD_BEFORE:-}" "${P[@]}" <<'PY'
import resource, statistics, subprocess, sys, time
runs, tree, before, pod = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]

def one(argv):
    # Wall time, and the CPU time (user + system) of the command's whole process tree,
    # which a loaded machine disturbs far less than wall time.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = (time.perf_counter() - t) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit("benchmark command failed: %s" % " ".join(argv))
    return wall, ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000

cases = [
    ("chroot TREE /bin/true", ["chroot", tree, "/bin/true"]),
    ("unshare -m chroot TREE /bin/true", ["unshare", "-m", "chroot", tree, "/bin/true"]),
    # The steps of pod run, each measured alone: the binary's start (dynamic loading), then
    # stage0's preparation of the pod (store lookup, pod files), without stage1.
    ("step: pod version (start of the binary)", pod + ["version"]),
    ("step: pod prepare busybox (stage0 only)",
     pod + ["prepare", "--pull-policy=never", "pod.dev/busybox", "--exec=/bin/true"]),
    ("pod run busybox /bin/true", pod + ["run", "--pull-policy=never", "pod.dev/busybox", "--exec=/bin/true"]),
    ("pod run busybox-big (512 MiB) /bin/true",
     pod + ["run", "--pull-policy=never", "pod.dev/busybox-big", "--exec=/bin/true"]),
]
if before:
    # The same pod run with an older pod binary (POD_BEFORE), on the same store.
    cases.append(("pod run busybox, POD_BEFORE", [before] + pod[1:] + ["run", "--pull-policy=never",
                                                  "pod.dev/busybox", "--exec=/bin/true"]))
# Interleaved: every case once per round, so a change of the shared machine's load hits
# them alike; medians over the rounds.
load = open("/proc/loadavg").read().split()[:3]
wall = {name: [] for name, _ in cases}
cpu = {name: [] for name, _ in cases}
for _ in range(runs):
    for name, argv in cases:
        w, c = one(argv)
        wall[name].append(w)
        cpu[name].append(c)
load_after = open("/proc/loadavg").read().split()[:3]
floor = "unshare -m chroot TREE /bin/true"
fw, fc = statistics.median(wall[floor]), statistics.median(cpu[floor])
print("load average before %s, after %s (1, 5, 15 min)" % (" ".join(load), " ".join(load_after)))
print("%-46s %10s %10s %8s %8s %8s" % ("command (%d runs, interleaved)" % runs, "median ms", "min ms",
                                        "x floor", "cpu ms", "x floor"))
for name, _ in cases:
    med, c = statistics.median(wall[name]), statistics.median(cpu[name])
    print("%-46s %10.2f %10.2f %8.2f %8.2f %8.2f" % (name, med, min(wall[name]), med / fw, c, c / fc))
PY
