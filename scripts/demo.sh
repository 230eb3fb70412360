#!/usr/bin/env bash
# README quick start (1): installs what is needed, builds pod, builds the bundled
# example image and runs it as a real pod.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
build_dir=${POD_BUILD_DIR:-build}
pod="$build_dir/stage0/pod"
image="$build_dir/examples/hello.aci"
if [ ! -f "$image" ]; then
  echo "demo: the example image was not built ($image)" >&2
  exit 1
fi
"$pod" image validate "$image"
"$pod" image cat-manifest "$image"
if "$pod" help run >/dev/null 2>&1; then
  exec "$pod" run --insecure-options=image "$image"
fi
echo "demo: built and validated $image; pods arrive with the pods issue, so it is not run yet"
