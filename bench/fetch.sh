#!/usr/bin/env bash
# Times `pod fetch` of a signed 200 MiB image from a loopback https server against
# what a shell user would do without pod (download, decompress, hash, unpack:
# curl | gzip -dc | tee >(sha512sum) | tar -x), and a second fetch of the unchanged
# image: with the default policy (store only, target < 20 ms) and with
# --pull-policy=update (one conditional request answered 304).
# Not a test: run it by hand, as root. Usage: bench/fetch.sh [POD_BINARY] [RUNS]
set -euo pipefail
pod=${1:-build/stage0/pod}
runs=${2:-3}
[ -x "$pod" ] || { echo "fetch.sh: $pod is not an executable pod binary" >&2; exit 1; }
pod=$(realpath "$pod")
here=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d /tmp/pod-bench-fetch.XXXXXX)
server_pid=""
cleanup() {
  # Every step may fail (the server may be gone already): none may stop the clean-up.
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  GNUPGHOME=$work/gnupg gpgconf --kill all 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The image: 150 MiB incompressible and 50 MiB of text, gzip as `pod image build` makes it.
tree=$work/tree
mkdir -p "$tree/rootfs/data"
cat > "$tree/manifest" <<'JSON'
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench-fetch","labels":[{"name":"version","value":"1.0"},{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}
JSON
for i in 1 2 3; do head -c 50M /dev/urandom > "$tree/rootfs/data/random-$i.bin"; done
{ base64 -w 76 /dev/urandom || true; } | head -c 50M > "$tree/rootfs/data/text.txt"
"$pod" image build "$tree" "$work/big.aci" >/dev/null
rm -rf "$tree"
aci_size=$(stat -c %s "$work/big.aci")

# A signing key, trusted for the image's prefix.
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key "Bench <bench@example.com>" ed25519 sign never 2>/dev/null
gpg --batch --armor --export bench@example.com > "$work/key.asc"
gpg --batch --armor --detach-sign --output "$work/big.aci.asc" "$work/big.aci"
cfg=(--local-config="$work/etc" --system-config="$work/usr" --user-config="$work/user")
"$pod" "${cfg[@]}" trust --prefix=example.com/bench-fetch --skip-fingerprint-review \
  "$work/key.asc" 2>/dev/null

# The loopback https server (tests/functional/testserver.py) with a test CA.
cat > "$work/serve.py" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1] + "/tests/functional")
from testserver import TestServer, make_test_ca
work = sys.argv[2]
ca, cert, key = make_test_ca(work + "/ca")
srv = TestServer(tls=(cert, key))
srv.add("/big.aci", open(work + "/big.aci", "rb").read(), etag='"bench-1"')
srv.add("/big.aci.asc", open(work + "/big.aci.asc", "rb").read())
print(srv.url("/big.aci"), flush=True)
while True:
    time.sleep(3600)
PY
python3 "$work/serve.py" "$here" "$work" > "$work/url" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")
export SSL_CERT_FILE=$work/ca/ca.crt

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
best=""
keep_best() { if [ -z "$best" ] || [ "$(echo "$1 < $best" | bc -l)" = 1 ]; then best=$1; fi; }

# Baseline: download, decompress, hash the tar, unpack.
best=""
for _ in $(seq 1 "$runs"); do
  rm -rf "$work/untar" && mkdir "$work/untar"
  t0=$(now)
  curl -sf --cacert "$SSL_CERT_FILE" "$url" | gzip -dc | tee >(sha512sum >/dev/null) |
    tar -x -C "$work/untar"
  keep_best "$(elapsed "$t0" "$(now)")"
done
baseline=$best
rm -rf "$work/untar"

# pod: fetch into an empty store (download, verify the signature, import and render).
best=""
for _ in $(seq 1 "$runs"); do
  rm -rf "$work/data"
  t0=$(now)
  "$pod" --dir="$work/data" "${cfg[@]}" fetch "$url" >/dev/null 2>&1
  keep_best "$(elapsed "$t0" "$(now)")"
done
first=$best

# Where the first fetch spends its time (pod's own --debug timings, one more run).
rm -rf "$work/data"
breakdown=$("$pod" --debug --dir="$work/data" "${cfg[@]}" fetch "$url" 2>&1 >/dev/null |
  grep -E "downloaded|signature checked|imported in" | sed 's/^pod: debug: /  /')

# Second fetch of the unchanged image.
best=""
for _ in $(seq 1 "$runs"); do
  t0=$(now)
  "$pod" --dir="$work/data" "${cfg[@]}" fetch "$url" >/dev/null 2>&1
  keep_best "$(elapsed "$t0" "$(now)")"
done
again_store=$best
best=""
for _ in $(seq 1 "$runs"); do
  t0=$(now)
  "$pod" --dir="$work/data" "${cfg[@]}" fetch --pull-policy=update "$url" >/dev/null 2>&1
  keep_best "$(elapsed "$t0" "$(now)")"
done
again_update=$best

ms() { printf "%.1f ms" "$(echo "$1 * 1000" | bc -l)"; }
printf "image: %s compressed (gzip), 200 MiB unpacked; best of %d runs\n" \
  "$(numfmt --to=iec-i --suffix=B "$aci_size")" "$runs"
printf "%-58s %10s\n" "curl | gzip -dc | tee >(sha512sum) | tar -x" "$(ms "$baseline")"
printf "%-58s %10s   %.2fx the baseline\n" "pod fetch (download, verify, import, render)" \
  "$(ms "$first")" "$(echo "$first / $baseline" | bc -l)"
echo "$breakdown"
printf "%-58s %10s   %.4fx the first fetch\n" "pod fetch again (default policy: store)" \
  "$(ms "$again_store")" "$(echo "$again_store / $first" | bc -l)"
printf "%-58s %10s   %.4fx the first fetch\n" "pod fetch --pull-policy=update again (304)" \
  "$(ms "$again_update")" "$(echo "$again_update / $first" | bc -l)"
