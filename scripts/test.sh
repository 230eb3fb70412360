#!/usr/bin/env bash
# README quick start (2): installs what is needed, builds, and runs every test
# (unit, fuzz for a bounded time, functional) with ctest, and checks the g++ build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
build_dir=${POD_BUILD_DIR:-build}
# The same code must also build warning-free with g++ (Debian's default compiler, what a
# packager uses). Its unit tests run; the fuzzers (clang only) and the functional tests
# (slow, compiler-independent) run once, on the clang tree. POD_GCC=0 skips this.
if [ "${POD_GCC:-1}" = 1 ]; then
  gcc_dir=${POD_GCC_BUILD_DIR:-$build_dir-gcc}
  CXX=g++ CC=gcc POD_BUILD_DIR="$gcc_dir" ./scripts/build.sh -DPOD_FUZZ=OFF
  (cd "$gcc_dir" && ctest --output-on-failure -j "${POD_TEST_JOBS:-2}" -L unit)
fi
cd "$build_dir"
ctest --output-on-failure -j "${POD_TEST_JOBS:-2}" "$@"
