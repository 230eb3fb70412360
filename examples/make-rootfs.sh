#!/bin/sh
# make-rootfs.sh EXAMPLE_DIR OUT_DIR: assembles an example image's build directory
# (manifest + rootfs/) from Debian's busybox-static, so the image needs no download.
set -eu
src=$1
out=$2
manifest=$3
rm -rf "$out"
mkdir -p "$out/rootfs/bin" "$out/rootfs/etc" "$out/rootfs/tmp"
cp /bin/busybox "$out/rootfs/bin/busybox"
for applet in sh echo id ls tr cat uname sleep env; do
  ln -s busybox "$out/rootfs/bin/$applet"
done
install -m 0755 "$src/hello.sh" "$out/rootfs/bin/hello"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$out/rootfs/etc/passwd"
printf 'root:x:0:\n' >"$out/rootfs/etc/group"
cp "$manifest" "$out/manifest"
