#!/usr/bin/env bash
# Times a pod's network set-up and tear-down (stage1/common/net through pod-net-driver:
# a network namespace bind-mounted in the host's mount namespace, loopback, ptp + host-local
# + IP masquerade, as --net=default) against doing the same by hand with iproute2 and
# iptables (ip netns add, a veth pair, addresses, routes, a MASQUERADE rule), and prints
# the ratio. Not a test: run it by hand, as root.
# Usage: bench/net_setup.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-20}
driver=$(realpath "$build/stage1/common/net/pod-net-driver")
[ -x "$driver" ] || { echo "net_setup.sh: $driver is not built" >&2; exit 1; }

work=$(mktemp -d /tmp/pod-bench-net.XXXXXX)
net=bench-$$
ns=podbench-$$
cleanup() {
  for d in "$work"/pod-*; do [ -d "$d" ] && "$driver" teardown "$d" >/dev/null 2>&1 || true; done
  ip netns del "$ns" 2>/dev/null || true
  iptables -w -t nat -D POSTROUTING -s 10.251.0.2/32 ! -d 10.251.0.0/30 -j MASQUERADE 2>/dev/null || true
  rm -rf "$work" "/var/lib/cni/networks/$net"
}
trap cleanup EXIT

# The same network as --net=default, on a subnet of its own.
mkdir -p "$work/etc/net.d"
cat > "$work/etc/net.d/10-bench.conf" <<JSON
{"cniVersion":"1.0.0","name":"$net","type":"ptp","ipMasq":true,
 "ipam":{"type":"host-local","subnet":"10.250.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}
JSON
now() { date +%s%N; }

pod_ns=0
for i in $(seq "$runs"); do
  d=$work/pod-$i
  mkdir -p "$d"
  echo '{"acKind":"PodManifest","acVersion":"0.8.11","apps":[]}' > "$d/pod"
  uuid=$(cat /proc/sys/kernel/random/uuid)
  t0=$(now)
  "$driver" setup "$d" "$uuid" --private-mount-ns --local-config="$work/etc" --net="$net" >/dev/null
  "$driver" teardown "$d" --private-mount-ns
  t1=$(now)
  pod_ns=$((pod_ns + t1 - t0))
done

hand_ns=0
for i in $(seq "$runs"); do
  t0=$(now)
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "vb$$" type veth peer name eth0 netns "$ns"
  ip addr add 10.251.0.1/32 dev "vb$$"
  ip link set "vb$$" up
  ip -n "$ns" addr add 10.251.0.2/30 dev eth0
  ip -n "$ns" link set eth0 up
  ip route add 10.251.0.2/32 dev "vb$$" src 10.251.0.1
  ip -n "$ns" route add default via 10.251.0.1 dev eth0 onlink
  iptables -w -t nat -A POSTROUTING -s 10.251.0.2/32 ! -d 10.251.0.0/30 -j MASQUERADE
  iptables -w -t nat -D POSTROUTING -s 10.251.0.2/32 ! -d 10.251.0.0/30 -j MASQUERADE
  ip netns del "$ns"  # takes the veth pair and its route with it
  t1=$(now)
  hand_ns=$((hand_ns + t1 - t0))
done

awk -v p="$pod_ns" -v h="$hand_ns" -v n="$runs" 'BEGIN {
  printf "network set-up + tear-down, mean of %d runs\n", n
  printf "  pod (CNI ptp + host-local + masquerade): %8.2f ms\n", p / n / 1e6
  printf "  by hand (ip netns/veth/iptables):        %8.2f ms\n", h / n / 1e6
  printf "  ratio pod / by hand:                     %8.2f\n", p / h
}'
