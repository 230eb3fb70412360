#!/usr/bin/env bash
# Configures and builds pod into build/ (or $POD_BUILD_DIR). clang++ is used when
# present, so the libFuzzer targets are built too; g++ works for everything else.
# Warnings are errors here (POD_WERROR), as in CI; a plain `cmake` build leaves them warnings.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${POD_BUILD_DIR:-build}
build_type=${POD_BUILD_TYPE:-Release}
compiler=${CXX:-}
if [ -z "$compiler" ] && command -v clang++ >/dev/null; then compiler=clang++; fi
cc=${CC:-}
if [ -z "$cc" ] && [ "$compiler" = clang++ ]; then cc=clang; fi
args=(-S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DPOD_WERROR=ON)
[ -n "$compiler" ] && args+=(-DCMAKE_CXX_COMPILER="$compiler")
[ -n "$cc" ] && args+=(-DCMAKE_C_COMPILER="$cc")
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake "${args[@]}" "$@" >/dev/null
else
  cmake -S . -B "$build_dir" -DPOD_WERROR=ON "$@" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"
