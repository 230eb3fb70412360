#!/bin/sh
# stage-tree.sh OUT_DIR MANIFEST BUSYBOX [INSPECT]
# Builds an image tree for `pod image build`: OUT_DIR/manifest and OUT_DIR/rootfs with
# busybox and its applet links in /bin (made here, at build time, from `busybox --list`),
# a user database with a non-root user, and the inspect program when given.
set -eu
out=$1 manifest=$2 busybox=$3 inspect=${4:-}
rm -rf "$out"
mkdir -p "$out/rootfs/bin" "$out/rootfs/etc" "$out/rootfs/tmp" "$out/rootfs/home/user"
cp "$manifest" "$out/manifest"
cp "$busybox" "$out/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$out/rootfs/bin/$applet"
done
cat > "$out/rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:a non-root user:/home/user:/bin/sh
PASSWD
cat > "$out/rootfs/etc/group" <<'GROUP'
root:x:0:
group:x:1000:
extra:x:2000:user
GROUP
chmod 1777 "$out/rootfs/tmp"
if [ -n "$inspect" ]; then
  cp "$inspect" "$out/rootfs/inspect"
  # Not executable on purpose: the tests' exec-not-executable case (exit status 126).
  printf 'not a program\n' > "$out/rootfs/not-executable"
  chmod 0644 "$out/rootfs/not-executable"
fi
