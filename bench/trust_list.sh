#!/usr/bin/env bash
# Times `pod trust list` over N trusted keys (default 1,000) against the same work done
# with gpg directly in the same run: importing every key file into a fresh keyring and
# listing it. pod parses the key files' OpenPGP packets itself (aci/openpgp_keys.cpp);
# before that it listed them through gpg (one run for all keys, and before that two runs
# per key). Not a test: run it by hand.
# Usage: bench/trust_list.sh [BUILD_DIR] [KEYS] [RUNS]
set -euo pipefail
build=$(realpath "${1:-build}")
keys=${2:-1000}
runs=${3:-5}
pod=${POD_BIN:-$build/stage0/pod}
[ -x "$pod" ] || { echo "trust_list.sh: $pod is missing: build the pod target" >&2; exit 1; }

work=$(mktemp -d /tmp/pod-bench-trust.XXXXXX)
export GNUPGHOME=$work/gnupg
cleanup() { gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -m 700 "$GNUPGHOME"

# N signing keys in one gpg run, then one armoured file per key, named by fingerprint,
# where `pod trust --prefix` would put it.
{
  for i in $(seq "$keys"); do
    printf 'Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign\nName-Real: Bench Signer %d\nName-Email: s%d@example.com\nExpire-Date: 0\n%%no-protection\n%%commit\n' "$i" "$i"
  done
} > "$work/params"
gpg --batch --quiet --gen-key "$work/params" 2>/dev/null
dir=$work/etc/trustedkeys/prefix.d/example.com/app
mkdir -p "$dir"
gpg --with-colons --list-keys | awk -F: '$1 == "fpr" && !seen[$10]++ && prev == "pub" {print tolower($10)} {prev=$1}' \
  | xargs -P 2 -I{} sh -c 'gpg --armor --export {} > '"$dir"'/{}'
count=$(ls "$dir" | wc -l)

python3 - "$runs" "$count" "$work" "$dir" "$pod" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
runs, count, work, keydir, pod = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
files = sorted(os.path.join(keydir, f) for f in os.listdir(keydir))

def timed(fn):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times)

def pod_list():
    r = subprocess.run([pod, "--local-config=" + os.path.join(work, "etc"),
                        "--system-config=" + os.path.join(work, "sys"), "trust", "list",
                        "--no-legend"], capture_output=True, text=True)
    if r.returncode != 0 or r.stdout.count("Bench Signer") != count:
        sys.exit("pod trust list failed or missed keys:\n" + r.stderr)

def gpg_direct():
    with tempfile.TemporaryDirectory(dir=work) as home:
        env = dict(os.environ, GNUPGHOME=home)
        subprocess.run(["gpg", "--batch", "--quiet", "--import"] + files, env=env,
                       capture_output=True, check=True)
        subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys"], env=env,
                       capture_output=True, check=True)
        subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True)

pod_t = timed(pod_list)
gpg_t = timed(gpg_direct)
print("%-46s %10s %10s" % ("%d trusted keys, %d runs" % (count, runs), "median ms", "min ms"))
print("%-46s %10.1f %10.1f" % ("pod trust list", *pod_t))
print("%-46s %10.1f %10.1f" % ("gpg --import (all files) + gpg --list-keys", *gpg_t))
print("%-46s %10.2f" % ("ratio pod / gpg", pod_t[0] / gpg_t[0]))
PY
