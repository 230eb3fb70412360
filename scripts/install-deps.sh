#!/usr/bin/env bash
# Installs every Debian package pod needs to build, run and test. Idempotent:
# a second run installs nothing and takes a second or two.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  # libraries (DESIGN.md, "Chosen dependencies")
  libgpgme-dev libarchive-dev libsystemd-dev libcurl4-openssl-dev libssl-dev
  libsqlite3-dev libseccomp-dev libcap-dev libcxxopts-dev doctest-dev nlohmann-json3-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  # run time
  systemd-container containernetworking-plugins iproute2 util-linux
  # the CNI plugins' masquerade and port forwarding rules (a dependency of the plugins
  # package, named because the network tests read the rules back)
  iptables
  # tests and benchmarks: images, keys, servers, archive tools
  busybox-static gnupg python3 openssl tar gzip bzip2 xz-utils zstd coreutils bc curl
  # api-service tests: a real gRPC client in Python, stubs generated from api.proto at test time
  python3-grpcio python3-grpc-tools
  # OCI tests (issue 14): a real loopback registry, skopeo to push test-made images, htpasswd
  docker-registry skopeo apache2-utils
  # stage1-kvm (issue 18): qemu runs the pod's VM; the build takes the guest's kernel and
  # modules from linux-image-amd64 and packs its initramfs with cpio
  qemu-system-x86 linux-image-amd64 cpio
  # appc conformance (issue 17): the spec's sources, from which the tests build the ACE
  # validator and actool with Go (offline, GOPATH mode)
  golang-go golang-github-appc-spec-dev
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (it installs Debian packages with apt-get)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
