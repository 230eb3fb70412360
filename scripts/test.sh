#!/usr/bin/env bash
# README quick start (2): installs what is needed, builds, and runs every test
# (unit, fuzz for a bounded time, functional) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
build_dir=${POD_BUILD_DIR:-build}
cd "$build_dir"
ctest --output-on-failure -j "${POD_TEST_JOBS:-2}" "$@"
