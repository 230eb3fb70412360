# Sourced by the benchmarks (bench/*.sh): the checks before a run and the scratch data
# directory every run uses, so that a benchmark never touches the host's pods or images.
# The sourcing script sets `pod` (the binary) before calling bench_scratch.

bench_name=$(basename "$0")

# bench_require HINT FILE...: exits naming the first FILE that does not exist.
bench_require() {
  local hint=$1 f
  shift
  for f in "$@"; do
    [ -e "$f" ] || { echo "$bench_name: $f is missing: $hint" >&2; exit 1; }
  done
}

bench_require_root() {
  [ "$(id -u)" = 0 ] || { echo "$bench_name: pods need root" >&2; exit 1; }
}

# bench_scratch TAG: a fresh directory in $work and, in P, the pod command line whose data
# and configuration live there.
bench_scratch() {
  work=$(mktemp -d "/tmp/pod-bench-$1.XXXXXX")
  P=("$pod" --dir="$work/data" --local-config="$work/etc" --system-config="$work/sys" --user-config="$work/user")
}

# bench_scratch_remove: collects every pod of the scratch data directory, then removes it
# (called from the script's EXIT trap, after it stopped what it started itself).
bench_scratch_remove() {
  "${P[@]}" gc --grace-period=0s --expire-prepared=0s >/dev/null 2>&1 || true
  rm -rf "$work"
}

# median: of the numbers on stdin, one a line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
