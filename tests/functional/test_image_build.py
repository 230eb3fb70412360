"""pod image build / validate / cat-manifest, end to end with the real binary."""
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
import unittest

from podtest import POD_BIN, PodTestCase

BUSYBOX = "/bin/busybox"
MANIFEST = {
    "acKind": "ImageManifest",
    "acVersion": "0.8.11",
    "name": "example.com/busybox-test",
    "labels": [{"name": "version", "value": "1.0"}, {"name": "arch", "value": "amd64"},
               {"name": "os", "value": "linux"}],
    "app": {"exec": ["/bin/sh", "-c", "echo hello"], "user": "0", "group": "0"},
}
IMAGE_ID = re.compile(r"^sha512-[0-9a-f]{128}$")
MAGIC = {"gzip": b"\x1f\x8b", "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00", "zstd": b"\x28\xb5\x2f\xfd"}


def tar_bytes(members):
    """A tar from (TarInfo, data) pairs, written by Python's tarfile (no checks on names)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for info, data in members:
            info.size = len(data) if data is not None else 0
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name, data=b"", kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info, (data if kind == tarfile.REGTYPE else None)


class ImageBuildTest(PodTestCase):
    def setUp(self):
        super().setUp()
        if not os.path.exists(BUSYBOX):
            self.skipTest("needs busybox-static (%s)" % BUSYBOX)
        self.src = os.path.join(self.root, "src")
        os.makedirs(os.path.join(self.src, "rootfs", "bin"))
        os.makedirs(os.path.join(self.src, "rootfs", "etc"))
        with open(os.path.join(self.src, "manifest"), "w") as f:
            json.dump(MANIFEST, f, indent=2)
        shutil.copy2(BUSYBOX, os.path.join(self.src, "rootfs", "bin", "busybox"))
        os.symlink("busybox", os.path.join(self.src, "rootfs", "bin", "sh"))
        with open(os.path.join(self.src, "rootfs", "etc", "hostname"), "w") as f:
            f.write("pod-test\n")

    def out(self, name):
        return os.path.join(self.root, name)

    def build(self, *flags, out=None, check=0):
        out = out or self.out("image.aci")
        return self.pod("image", "build", *flags, self.src, out, check=check)

    def test_build_prints_the_sha512_of_the_uncompressed_tar(self):
        res = self.build()
        image_id = res.stdout.strip()
        self.assertRegex(image_id, IMAGE_ID)
        with gzip.open(self.out("image.aci"), "rb") as f:
            self.assertEqual(image_id, "sha512-" + hashlib.sha512(f.read()).hexdigest())
        self.assertEqual(os.listdir(self.root).count("image.aci"), 1)
        self.assertFalse([n for n in os.listdir(self.root) if ".tmp-" in n], "temp file left")

    def test_every_compression_gives_the_same_image_id_and_gnu_tar_reads_it(self):
        ids = set()
        for comp in ("gzip", "bzip2", "xz", "zstd", "none"):
            out = self.out("image-%s.aci" % comp)
            ids.add(self.build("--compression=" + comp, out=out).stdout.strip())
            with open(out, "rb") as f:
                head = f.read(512)
            if comp in MAGIC:
                self.assertTrue(head.startswith(MAGIC[comp]), comp)
            else:
                self.assertEqual(head[257:262], b"ustar")
            listing = subprocess.run(["tar", "-tf", out], capture_output=True, text=True, check=True)
            names = listing.stdout.split()
            self.assertEqual(names[0], "manifest", comp)
            for want in ("rootfs/", "rootfs/bin/", "rootfs/bin/busybox", "rootfs/bin/sh",
                         "rootfs/etc/hostname"):
                self.assertIn(want, names, comp)
            self.assertEqual(names[1:], sorted(names[1:]), "rootfs/ entries are in sorted order")
            if comp != "zstd":  # Python's tarfile is a second, independent reader
                with tarfile.open(out, "r:*") as t:
                    self.assertEqual(t.getnames()[0], "manifest")
                    self.assertEqual(t.getmember("rootfs/bin/sh").linkname, "busybox")
        self.assertEqual(len(ids), 1, "the image ID does not depend on the compression")

    def test_gnu_tar_extracts_the_tree(self):
        self.build()
        dest = self.out("extracted")
        os.makedirs(dest)
        subprocess.run(["tar", "-xf", self.out("image.aci"), "-C", dest], check=True)
        with open(os.path.join(dest, "manifest")) as f:
            self.assertEqual(json.load(f), MANIFEST)
        with open(os.path.join(dest, "rootfs/bin/busybox"), "rb") as a, open(BUSYBOX, "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertEqual(os.readlink(os.path.join(dest, "rootfs/bin/sh")), "busybox")
        self.assertTrue(os.access(os.path.join(dest, "rootfs/bin/busybox"), os.X_OK))

    def test_same_tree_same_bytes(self):
        self.build(out=self.out("one.aci"))
        self.build(out=self.out("two.aci"))
        with open(self.out("one.aci"), "rb") as a, open(self.out("two.aci"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_kill_9_during_build_leaves_nothing_beside_the_output(self):
        # 128 MiB of random data: long enough to be killed in the middle of compressing it.
        with open(os.path.join(self.src, "rootfs", "big"), "wb") as f:
            for _ in range(128):
                f.write(os.urandom(1 << 20))
        outdir = os.path.join(self.root, "out")
        os.makedirs(outdir)
        proc = subprocess.Popen([POD_BIN, "image", "build", self.src,
                                 os.path.join(outdir, "x.aci")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        self.assertIsNone(proc.poll(), "the build finished before it could be killed")
        proc.kill()
        proc.wait()
        self.assertEqual(os.listdir(outdir), [])

    def test_overwrite(self):
        target = self.out("exists.aci")
        with open(target, "w") as f:
            f.write("old")
        res = self.build(out=target, check=254)
        self.assertIn("already exists", res.stderr)
        self.assertIn("--overwrite", res.stderr)
        with open(target) as f:
            self.assertEqual(f.read(), "old")
        self.build("--overwrite", out=target)
        self.pod("image", "validate", target, check=0)

    def test_invalid_manifest_is_refused_naming_the_file(self):
        bad = dict(MANIFEST, name="Not Valid")
        with open(os.path.join(self.src, "manifest"), "w") as f:
            json.dump(bad, f)
        res = self.build(check=254)
        self.assertIn(os.path.join(self.src, "manifest"), res.stderr)
        self.assertIn("name", res.stderr)
        self.assertFalse(os.path.exists(self.out("image.aci")))

    def test_usage_errors_exit_2(self):
        self.pod("image", "build", self.src, check=254)
        self.pod("image", "build", self.src, self.out("a.aci"), "extra", check=254)
        res = self.pod("image", "build", "--compression=lz4", self.src, self.out("a.aci"), check=254)
        self.assertIn("lz4", res.stderr)
        self.pod("image", "validate", check=254)
        self.pod("image", "cat-manifest", check=254)
        self.pod("image", "build", "--no-such-flag", self.src, self.out("a.aci"), check=254)

    def test_validate_reports_each_file(self):
        good = self.out("good.aci")
        image_id = self.build(out=good).stdout.strip()
        bad_files = {}

        def bad(name, data):
            path = self.out(name)
            with open(path, "wb") as f:
                f.write(data)
            bad_files[path] = name

        manifest = json.dumps(MANIFEST).encode()
        bad("garbage.aci", os.urandom(4096))
        with open(good, "rb") as f:
            bad("truncated.aci", f.read()[:2000])
        bad("no-manifest.aci", tar_bytes([member("rootfs", kind=tarfile.DIRTYPE),
                                           member("rootfs/a", b"x")]))
        bad("dotdot.aci", tar_bytes([member("manifest", manifest),
                                     member("rootfs/../../etc/evil", b"x")]))
        bad("symlink-escape.aci", tar_bytes([
            member("manifest", manifest),
            member("rootfs/link", kind=tarfile.SYMTYPE, linkname="/etc"),
            member("rootfs/link/evil", b"x")]))
        bad("hardlink-out.aci", tar_bytes([
            member("manifest", manifest),
            member("rootfs/h", kind=tarfile.LNKTYPE, linkname="/etc/passwd")]))
        bad("bad-manifest.aci", tar_bytes([member("manifest", b'{"acKind":"ImageManifest"}')]))
        res = self.pod("image", "validate", good, *bad_files, check=254)
        self.assertEqual(res.stdout, "%s: ok (%s)\n" % (good, image_id))
        lines = res.stderr.splitlines()
        self.assertEqual(len(lines), len(bad_files), res.stderr)
        for path, line in zip(bad_files, lines):
            self.assertTrue(line.startswith(path + ": "), line)
        reasons = dict(zip(bad_files.values(), lines))
        self.assertIn("not a tar archive", reasons["garbage.aci"])
        self.assertIn("no manifest", reasons["no-manifest.aci"])
        self.assertIn("\"..\"", reasons["dotdot.aci"])
        self.assertIn("symlink", reasons["symlink-escape.aci"])
        self.assertIn("absolute", reasons["hardlink-out.aci"])
        self.assertIn("manifest", reasons["bad-manifest.aci"])
        self.pod("image", "validate", good, check=0)

        # --format=json: one array on stdout, per file; a manifest error names its member.
        bad("bad-exec.aci", tar_bytes([member("manifest", json.dumps(dict(
            MANIFEST, app=dict(MANIFEST["app"], exec=["relative/prog"]))).encode()),
            member("rootfs", kind=tarfile.DIRTYPE)]))
        res = self.pod("image", "validate", "--format=json", good, *bad_files, check=254)
        self.assertEqual(res.stderr, "")
        results = json.loads(res.stdout)
        self.assertEqual([r["file"] for r in results], [good] + list(bad_files))
        self.assertEqual(results[0], {"file": good, "ok": True, "id": image_id, "name": MANIFEST["name"]})
        self.assertEqual([r["ok"] for r in results[1:]], [False] * len(bad_files))
        by_name = dict(zip(bad_files.values(), results[1:]))
        self.assertEqual(by_name["bad-exec.aci"]["field"], "app.exec[0]")
        self.assertIn("relative/prog", by_name["bad-exec.aci"]["error"])
        self.assertIn("not a tar archive", by_name["garbage.aci"]["error"])
        self.assertNotIn("field", by_name["garbage.aci"])
        self.pod("image", "validate", "--format=yaml", good, check=254)

    def test_cat_manifest(self):
        aci = self.out("image.aci")
        self.build("--compression=xz", out=aci)
        res = self.pod("image", "cat-manifest", aci, check=0)
        self.assertEqual(json.loads(res.stdout), MANIFEST)
        self.assertIn("\n\t\"acVersion\"", res.stdout)
        res = self.pod("image", "cat-manifest", "--pretty-print=false", aci, check=0)
        self.assertEqual(res.stdout.count("\n"), 1)
        self.assertEqual(json.loads(res.stdout), MANIFEST)
        self.assertTrue(res.stdout.startswith('{"acKind":"ImageManifest"'), "keys keep their order")
        res = self.pod("image", "cat-manifest", self.out("missing.aci"), check=254)
        self.assertIn(self.out("missing.aci"), res.stderr)


if __name__ == "__main__":
    unittest.main()
