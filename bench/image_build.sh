#!/usr/bin/env bash
# Times `pod image build` (gzip) and `pod image validate` on a 200 MiB tree against the
# tools a user would otherwise reach for: `tar -c | gzip` and `gzip -dc | sha512sum`.
# Not a test: run it by hand. Usage: bench/image_build.sh [POD_BINARY] [RUNS]
set -euo pipefail
pod=${1:-build/stage0/pod}
runs=${2:-3}
[ -x "$pod" ] || { echo "image_build.sh: $pod is not an executable pod binary" >&2; exit 1; }
pod=$(realpath "$pod")

work=$(mktemp -d /tmp/pod-bench-image-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/tree
mkdir -p "$tree/rootfs/data" "$tree/rootfs/small"

# The tree, generated once: 100 MiB incompressible, 50 MiB text (base64 and log-like),
# and 50 MiB as 5000 small files in 50 directories, half random, half text.
cat > "$tree/manifest" <<'JSON'
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}
JSON
for i in 1 2 3 4; do head -c 25M /dev/urandom > "$tree/rootfs/data/random-$i.bin"; done
# The generators on the left of `head` die of SIGPIPE by design: not a failure.
text() { { base64 -w 76 /dev/urandom || true; } | head -c "$1"; }
log_lines() {
  { seq 1 2000000 || true; } | { awk '{printf "2026-11-25T10:%02d:%02d host app[%d]: request %d served in %d ms\n", ($1/60)%60, $1%60, $1%977, $1, $1%250}' || true; } | head -c "$1"
}
text 25M > "$tree/rootfs/data/base64.txt"
log_lines 25M > "$tree/rootfs/data/app.log"
head -c 25M /dev/urandom > "$work/small-random"
text 25M > "$work/small-text"
for d in $(seq 0 49); do
  mkdir -p "$tree/rootfs/small/d$d"
  for f in $(seq 0 49); do
    n=$((d * 50 + f))
    dd if="$work/small-random" of="$tree/rootfs/small/d$d/r$f" bs=10240 skip=$n count=1 status=none
    dd if="$work/small-text" of="$tree/rootfs/small/d$d/t$f.txt" bs=10240 skip=$n count=1 status=none
  done
done
rm -f "$work/small-random" "$work/small-text"
size=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)

now() { date +%s.%N; }
# best_of CMD...: the fastest of $runs runs (warm cache), in seconds.
best_of() {
  local best=""
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null
    t1=$(now)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { t = b - a; if (best == "" || t < best) best = t; printf "%.3f", best }')
  done
  echo "$best"
}

pod_build() { "$pod" image build --overwrite --compression=gzip "$tree" "$work/pod.aci"; }
tar_gzip() { tar -C "$tree" -cf - manifest rootfs | gzip > "$work/peer.tar.gz"; }
pod_validate() { "$pod" image validate "$work/pod.aci"; }
gunzip_sha512() { gzip -dc "$work/peer.tar.gz" | sha512sum; }

t_build=$(best_of pod_build)
t_tar=$(best_of tar_gzip)
t_validate=$(best_of pod_validate)
t_sha=$(best_of gunzip_sha512)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "tree: $((size / 1048576)) MiB in $files files; best of $runs runs; $(nproc) CPUs; $(uname -r)"
printf '%-36s %9s %12s\n' "" "seconds" "output MiB"
printf '%-36s %9s %12s\n' "pod image build --compression=gzip" "$t_build" "$(( $(stat -c %s "$work/pod.aci") / 1048576 ))"
printf '%-36s %9s %12s\n' "tar -c | gzip" "$t_tar" "$(( $(stat -c %s "$work/peer.tar.gz") / 1048576 ))"
printf '%-36s %9s\n' "pod image validate" "$t_validate"
printf '%-36s %9s\n' "gzip -dc | sha512sum" "$t_sha"
echo "ratio build (pod / tar|gzip):              $(ratio "$t_build" "$t_tar")"
echo "ratio validate (pod / gzip -dc|sha512sum): $(ratio "$t_validate" "$t_sha")"
