#!/usr/bin/env bash
# OCI images: `pod fetch` + `pod run` of a multi-layer image from a loopback docker-registry
# against `skopeo copy docker://... oci:...` of the same image (what a user without pod
# would run to get it onto disk), and a warm-store `pod run` of a 1-layer vs a 40-layer
# image (the overlay of shared layers should make them cost the same: target within 10%).
# Prints ratios against the peer in the same run; never pass/fail.
# Not a test: run it by hand, as root. Usage: bench/oci.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-5}
pod=$(realpath "$build/stage0/pod")
stage1=$(realpath "$build/stage1-images/stage1-fly.aci")
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in docker-registry skopeo; do
  command -v $tool >/dev/null || { echo "oci.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/pod-bench-oci.XXXXXX)
cleanup() {
  [ -f "$work/registry.pid" ] && kill "$(cat "$work/registry.pid")" 2>/dev/null || true
  "$pod" --dir="$work/data" gc --grace-period=0s >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The images (tests/functional/ocifixtures.py): 8 layers of 4 MiB random data over busybox;
# and a 1-layer and a 40-layer image with the same files.
cat > "$work/make.py" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1] + "/tests/functional")
from ocifixtures import Layer, OciLayout, Registry, busybox_layer
work = sys.argv[2]
lay = OciLayout(work + "/layout")
big = [busybox_layer()] + [Layer().file("data/blob-%d" % i, os.urandom(4 << 20)) for i in range(8)]
lay.add_image("big", big, {"Cmd": ["/bin/true"]})
one = busybox_layer()
for i in range(40):
    one.file("f/file-%d" % i, "x" * 1000)
lay.add_image("one", [one], {"Cmd": ["/bin/true"]})
forty = [busybox_layer()] + [Layer().file("f/file-%d" % i, "x" * 1000) for i in range(39)]
lay.add_image("forty", forty, {"Cmd": ["/bin/true"]})
reg = Registry(work + "/registry")
with open(work + "/registry.pid", "w") as f:
    f.write(str(reg.proc.pid))
reg.push(work + "/layout:big", "bench/big:1")
print(reg.host)
PY
host=$(python3 "$work/make.py" "$here" "$work")
ref="docker://$host/bench/big:1"
g=(--dir="$work/data" --local-config="$work/etc" --system-config="$work/usr" --user-config="$work/user")

now() { date +%s.%N; }
best() { sort -n | head -1; }

fetch_run=()
skopeo_copy=()
for _ in $(seq "$runs"); do
  rm -rf "$work/data" "$work/skopeo-out"
  t0=$(now)
  "$pod" "${g[@]}" run --insecure-options=image,http --stage1-path="$stage1" "$ref" >/dev/null 2>&1
  t1=$(now)
  skopeo copy --quiet --src-tls-verify=false "$ref" "oci:$work/skopeo-out:big" >/dev/null
  t2=$(now)
  fetch_run+=("$(echo "$t1 - $t0" | bc)")
  skopeo_copy+=("$(echo "$t2 - $t1" | bc)")
done
fr=$(printf '%s\n' "${fetch_run[@]}" | best)
sc=$(printf '%s\n' "${skopeo_copy[@]}" | best)
echo "cold pod fetch+run of a 9-layer, 33 MiB image:   ${fr} s (best of $runs)"
echo "skopeo copy docker:// -> oci: of the same image: ${sc} s"
echo "ratio pod fetch+run / skopeo copy: $(echo "scale=2; $fr / $sc" | bc)"

# Warm store: both images fetched once, then only runs (by image ID) are timed.
id_one=$("$pod" "${g[@]}" fetch --insecure-options=image "oci:$work/layout:one" 2>/dev/null | tail -1)
id_forty=$("$pod" "${g[@]}" fetch --insecure-options=image "oci:$work/layout:forty" 2>/dev/null | tail -1)
time_run() {
  local samples=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now)
    "$pod" "${g[@]}" run --insecure-options=image --stage1-path="$stage1" "$1" >/dev/null 2>&1
    t1=$(now)
    samples+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${samples[@]}" | best
}
r1=$(time_run "$id_one")
r40=$(time_run "$id_forty")
echo "warm pod run, 1 layer:   ${r1} s (best of $runs)"
echo "warm pod run, 40 layers: ${r40} s"
echo "ratio 40 layers / 1 layer: $(echo "scale=2; $r40 / $r1" | bc)"
