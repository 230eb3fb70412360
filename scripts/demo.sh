#!/usr/bin/env bash
# README quick start (1): installs what is needed, builds pod and the bundled example
# image, signs the image with a throwaway key, trusts that key for the image's prefix,
# fetches the image (signature verified) and runs it as a real pod.
# Everything lands under build/demo/ (its own --dir and config), nothing in /var/lib/pod or /etc/pod.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
build_dir=$(realpath "${POD_BUILD_DIR:-build}")
pod_bin="$build_dir/stage0/pod"
image="$build_dir/examples/hello.aci"
demo="$build_dir/demo"
rm -rf "$demo"
mkdir -p "$demo/gnupg" "$demo/etc" "$demo/data"
chmod 700 "$demo/gnupg"
export GNUPGHOME="$demo/gnupg"
trap 'gpgconf --kill all >/dev/null 2>&1 || true' EXIT
pod() { "$pod_bin" --dir="$demo/data" --local-config="$demo/etc" --system-config="$demo/usrlib" \
          --user-config="$demo/user" "$@"; }

echo "== signing $image with a throwaway key"
gpg --batch --quiet --passphrase '' --quick-gen-key "pod demo <demo@example.com>" default default never
gpg --batch --quiet --armor --export demo@example.com >"$demo/demo-key.asc"
cp "$image" "$demo/hello.aci"
gpg --batch --quiet --armor --detach-sign --output "$demo/hello.aci.asc" "$demo/hello.aci"

echo "== pod trust --prefix=example.com/hello"
pod trust --prefix=example.com/hello --skip-fingerprint-review "$demo/demo-key.asc"
echo "== pod fetch (the signature is checked before anything is stored)"
pod fetch "$demo/hello.aci"
echo "== pod run example.com/hello"
pod run example.com/hello
echo "== pod list"
pod list
