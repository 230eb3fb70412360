#!/usr/bin/env bash
# Times the image store: `pod fetch` of a 200 MiB image from a file (one pass: decompress,
# hash, store the blob, render the tree) against `gzip -dc | tee >(sha512sum) | tar -x` of
# the same file; a second fetch of the unchanged file (cache hit) against the first; and
# `pod image render` of an image with three dependencies against untarring the four ACIs.
# Not a test: run it by hand. Usage: bench/store_import.sh [POD_BINARY] [RUNS]
set -euo pipefail
pod=${1:-build/stage0/pod}
runs=${2:-3}
[ -x "$pod" ] || { echo "store_import.sh: $pod is not an executable pod binary" >&2; exit 1; }
pod=$(realpath "$pod")

work=$(mktemp -d /var/tmp/pod-bench-store.XXXXXX)
trap 'rm -rf "$work"' EXIT

manifest() {  # manifest NAME [DEPENDENCY-NAME...]
  local name=$1; shift
  local deps="" d
  for d in "$@"; do deps="$deps${deps:+,}{\"imageName\":\"$d\"}"; done
  printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"%s","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]%s}\n' \
    "$name" "${deps:+,\"dependencies\":[$deps]}"
}
text() { { base64 -w 76 /dev/urandom || true; } | head -c "$1"; }  # SIGPIPE on the left is by design

# The 200 MiB image: 100 MiB incompressible, 50 MiB text, 50 MiB as 5000 files of 10 KiB.
big=$work/big
mkdir -p "$big/rootfs/data" "$big/rootfs/small"
manifest example.com/bench-big > "$big/manifest"
for i in 1 2 3 4; do head -c 25M /dev/urandom > "$big/rootfs/data/random-$i.bin"; done
text 50M > "$big/rootfs/data/text.txt"
{ head -c 50M /dev/urandom | base64 -w 0 || true; } | head -c 50M > "$work/smalls"
for d in $(seq 0 49); do
  mkdir -p "$big/rootfs/small/d$d"
  for f in $(seq 0 99); do
    dd if="$work/smalls" of="$big/rootfs/small/d$d/f$f" bs=10240 skip=$((d * 100 + f)) count=1 status=none
  done
done
rm -f "$work/smalls"
"$pod" image build --compression=gzip "$big" "$work/big.aci" >/dev/null

# A chain for rendering: base <- lib1 <- lib2 <- app, 20 MiB each (some files overridden).
layer() {  # layer NAME DEPS...
  local name=$1 dir=$work/layer-${1##*/}
  mkdir -p "$dir/rootfs/usr/share/$name" "$dir/rootfs/etc"
  manifest "$@" > "$dir/manifest"
  head -c 10M /dev/urandom > "$dir/rootfs/usr/share/$name/blob.bin"
  text 10M > "$dir/rootfs/usr/share/$name/doc.txt"
  echo "$name" > "$dir/rootfs/etc/layer"
  "$pod" image build --compression=gzip "$dir" "$work/${1##*/}.aci" >/dev/null
}
layer example.com/base
layer example.com/lib1 example.com/base
layer example.com/lib2 example.com/lib1
layer example.com/app example.com/base example.com/lib1 example.com/lib2

now() { date +%s.%N; }
# best_of SETUP CMD: the fastest of $runs runs of CMD (SETUP runs untimed before each).
best_of() {
  local setup=$1 cmd=$2 best="" t0 t1
  for _ in $(seq 1 "$runs"); do
    $setup
    t0=$(now)
    $cmd >/dev/null
    t1=$(now)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { t = b - a; if (best == "" || t < best) best = t; printf "%.3f", best }')
  done
  echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

fresh_store() { rm -rf "$work/data" "$work/out"; mkdir -p "$work/data"; sync; }
fresh_out() { rm -rf "$work/out"; mkdir -p "$work/out"; sync; }
pod_fetch() { "$pod" --dir="$work/data" fetch --insecure-options=image "$work/big.aci" 2>/dev/null; }
peer_import() {
  gzip -dc "$work/big.aci" | tee >(sha512sum >/dev/null) | tar -x -C "$work/out"
}
peer_import_synced() { peer_import && sync -f "$work/out"; }
warm_store() { fresh_store; pod_fetch >/dev/null; }
noop() { :; }

size=$(stat -c %s "$work/big.aci")
echo "image: $(numfmt --to=iec-i --suffix=B "$(du -sb "$big" | cut -f1)") tree, $(numfmt --to=iec-i --suffix=B "$size") as gzip ACI; best of $runs runs"
t_fetch=$(best_of fresh_store pod_fetch)
t_peer=$(best_of fresh_out peer_import)
t_peer_sync=$(best_of fresh_out peer_import_synced)
echo "pod fetch FILE.aci (blob + index + rendered tree, synced): ${t_fetch}s"
echo "gzip -dc | tee >(sha512sum) | tar -x:                     ${t_peer}s  (pod/peer ratio $(ratio "$t_fetch" "$t_peer"))"
echo "  the same followed by sync -f:                           ${t_peer_sync}s  (pod/peer ratio $(ratio "$t_fetch" "$t_peer_sync"))"

warm_store
t_hit=$(best_of noop pod_fetch)
echo "second pod fetch of the unchanged file (cache hit):       ${t_hit}s  (first/second ratio $(ratio "$t_fetch" "$t_hit"))"

chain_store() {
  fresh_store
  local n
  for n in base lib1 lib2 app; do "$pod" --dir="$work/data" fetch --insecure-options=image "$work/$n.aci" >/dev/null 2>&1; done
}
pod_render() { "$pod" --dir="$work/data" image render example.com/app "$work/out/rendered"; }
clear_render() { rm -rf "$work/out"; mkdir -p "$work/out"; sync; }
peer_untar_chain() {
  local n
  mkdir -p "$work/out/peer"
  for n in base lib1 lib2 app; do tar -xzf "$work/$n.aci" -C "$work/out/peer"; done
}
# The alternative design: layers already extracted (as rendered dependency trees would be),
# copied in order into the new tree.
copy_layers() {
  local n
  mkdir -p "$work/out/copied"
  for n in base lib1 lib2 app; do cp -a "$work/layers/$n/." "$work/out/copied/"; done
}
chain_store
mkdir -p "$work/layers"
for n in base lib1 lib2 app; do
  "$pod" --dir="$work/data" image extract --rootfs-only "example.com/$n" "$work/layers/$n"
done
t_render=$(best_of clear_render pod_render)
t_untar=$(best_of clear_render peer_untar_chain)
t_copy=$(best_of clear_render copy_layers)
echo "pod image render of an image with 3 dependencies (4x20 MiB): ${t_render}s"
echo "tar -xzf of the 4 ACIs in order into one directory:          ${t_untar}s  (pod/peer ratio $(ratio "$t_render" "$t_untar"))"
echo "cp -a of the 4 layers, already extracted, in order:          ${t_copy}s  (pod/copy ratio $(ratio "$t_render" "$t_copy"))"
