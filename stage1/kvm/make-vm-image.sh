#!/usr/bin/env bash
# Build-time: the stage1-kvm guest's kernel and initramfs, from the installed Debian
# packages (never from git). Usage: make-vm-image.sh KERNEL_VERSION GUEST_INIT OUT_DIR
#   OUT_DIR/vmlinux    the kernel, decompressed: qemu boots it through its PVH entry, which
#                      spares the guest decompressing 8 MB of xz under TCG (~30 s here)
#   OUT_DIR/initrd     newc cpio: /init (the guest boot program) and /modules/*.ko with
#                      /modules/order, dependencies first (the guest has no modprobe)
set -euo pipefail
version=$1 guest_init=$2 out=$3
vmlinuz=/boot/vmlinuz-$version
moddir=/lib/modules/$version
[ -r "$vmlinuz" ] || { echo "make-vm-image: $vmlinuz is missing (Debian package linux-image-amd64)" >&2; exit 1; }

# The kernel is an ELF inside the bzImage, xz-compressed by Debian; find the stream's magic.
offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ' "$vmlinuz" | head -n1 | cut -d: -f1)
[ -n "$offset" ] || { echo "make-vm-image: no xz stream in $vmlinuz" >&2; exit 1; }
tail -c +$((offset + 1)) "$vmlinuz" | xz -dc 2>/dev/null > "$out/vmlinux.tmp" || true
head -c 4 "$out/vmlinux.tmp" | grep -q ELF || { echo "make-vm-image: $vmlinuz did not decompress to an ELF" >&2; exit 1; }
mv "$out/vmlinux.tmp" "$out/vmlinux"

# What the guest needs: virtio over MMIO, 9p for the pod's tree, the network, the
# console ports (apps' output, the control channel) and overlayfs.
wanted=(virtio_mmio 9pnet_virtio 9p virtio_net virtio_console overlay)
tree=$out/initrd.d
rm -rf "$tree" && mkdir -p "$tree/modules" "$tree/dev" "$tree/proc" "$tree/sys" "$tree/pod"
cp "$guest_init" "$tree/init"
declare -A loaded=()
order=()
add() {  # $1: path relative to $moddir; its dependencies go first
  local rel=$1
  [ -n "${loaded[$rel]:-}" ] && return
  loaded[$rel]=1
  local deps
  deps=$(grep -m1 "^$rel:" "$moddir/modules.dep" | cut -d: -f2)
  local d
  for d in $deps; do add "$d"; done
  cp "$moddir/$rel" "$tree/modules/"
  order+=("$(basename "$rel")")
}
for m in "${wanted[@]}"; do
  rel=$(grep -m1 -E "/$m\.ko(\.xz)?:" "$moddir/modules.dep" | cut -d: -f1)
  [ -n "$rel" ] || { echo "make-vm-image: module $m is not in $moddir" >&2; exit 1; }
  add "$rel"
done
printf '%s\n' "${order[@]}" > "$tree/modules/order"
(cd "$tree" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$out/initrd"
rm -rf "$tree"
