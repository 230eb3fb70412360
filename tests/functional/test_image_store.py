"""The image store end to end: pod fetch (local files), pod image list/rm/export/extract/
render/gc, a kill -9 in the middle of an import, and twenty commands at once."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import time

from podtest import POD_BIN, PodTestCase

FULL_ID = re.compile(r"^sha512-[0-9a-f]{128}$")
SHORT_ID = re.compile(r"^sha512-[0-9a-f]{12}$")  # rkt's width


class StoreTestCase(PodTestCase):
    """Builds images with `pod image build` and imports them with `pod fetch`."""

    def make_image(self, name, files=None, labels=None, deps=None, whitelist=None,
                   compression="gzip", big_file_bytes=0):
        """Returns the path of a new ACI. files: {path under rootfs: bytes or None (a dir)}."""
        src = os.path.join(self.root, "src-%s-%d" % (name.replace("/", "_"), time.monotonic_ns()))
        rootfs = os.path.join(src, "rootfs")
        os.makedirs(rootfs)
        for path, data in (files or {}).items():
            full = os.path.join(rootfs, path)
            if data is None:
                os.makedirs(full, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        if big_file_bytes:
            with open(os.path.join(rootfs, "big"), "wb") as f:
                chunk = 16 << 20
                left = big_file_bytes
                while left > 0:
                    f.write(os.urandom(min(chunk, left)))
                    left -= chunk
        manifest = {
            "acKind": "ImageManifest",
            "acVersion": "0.8.11",
            "name": name,
            "labels": [{"name": k, "value": v} for k, v in (labels or {}).items()],
        }
        if deps:
            manifest["dependencies"] = deps
        if whitelist:
            manifest["pathWhitelist"] = whitelist
        with open(os.path.join(src, "manifest"), "w") as f:
            json.dump(manifest, f)
        out = src + ".aci"
        self.pod("image", "build", "--compression=" + compression, src, out, check=0)
        return out

    def fetch(self, aci):
        res = self.pod("fetch", "--insecure-options=image", "--full", aci, check=0)
        image_id = res.stdout.strip()
        self.assertRegex(image_id, FULL_ID)
        return image_id

    def listed(self):
        return self.pod_json("image", "list", "--format=json")

    def listed_ids(self):
        return sorted(i["id"] for i in self.listed())

    def cas(self, *parts):
        return os.path.join(self.data_dir, "cas", *parts)

    def assert_store_consistent(self):
        """Every listed image has its blob; the index is intact; no blob is unlisted."""
        db = sqlite3.connect(self.cas("db"))
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            db.close()
        ids = set(self.listed_ids())
        blobs = set()
        for two in os.listdir(self.cas("blob", "sha512")):
            for h in os.listdir(self.cas("blob", "sha512", two)):
                blobs.add("sha512-" + h)
        self.assertTrue(ids <= blobs, "listed images without a blob: %s" % (ids - blobs))
        return ids, blobs


class ImageListTest(StoreTestCase):
    def test_list_table_fields_sorting_and_json(self):
        a = self.fetch(self.make_image("example.com/alpha", {"a": b"a" * 5000},
                                       labels={"version": "1.0"}))
        time.sleep(1.1)  # distinct import times, so the order is known
        b = self.fetch(self.make_image("example.com/beta", {"b": b"b"}))

        res = self.pod("image", "list", check=0)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "NAME", "SIZE", "IMPORT", "TIME", "LAST", "USED"])
        self.assertEqual(len(lines), 3)
        first, second = lines[1].split(), lines[2].split()
        self.assertRegex(first[0], SHORT_ID)
        self.assertEqual(first[0], a[:7 + 12])
        self.assertEqual(first[1], "example.com/alpha:1.0")
        self.assertEqual(second[1], "example.com/beta")

        res = self.pod("image", "list", "--no-legend", "--full", "--fields=id,name,size,latest",
                       "--sort=importtime", "--order=desc", check=0)
        rows = [l.split() for l in res.stdout.splitlines()]
        self.assertEqual([r[0] for r in rows], [b, a])
        self.assertEqual(int(rows[1][2]), os.path.getsize(self.cas("blob", "sha512", a[7:9], a[7:])))
        self.assertEqual([r[3] for r in rows], ["true", "true"])

        items = self.listed()
        self.assertEqual([i["id"] for i in items], [a, b])
        self.assertEqual(items[0]["name"], "example.com/alpha:1.0")  # as rkt's JSON
        self.assertEqual(items[0]["labels"], {"version": "1.0"})
        self.assertGreater(items[0]["import_time"], 0)
        self.assertIn("\n  ", self.pod("image", "list", "--format=json-pretty", check=0).stdout)

    def test_latest_marks_the_newest_import_of_a_name(self):
        old = self.fetch(self.make_image("example.com/app", {"v": b"1"}, labels={"version": "1"}))
        time.sleep(1.1)
        new = self.fetch(self.make_image("example.com/app", {"v": b"2"}, labels={"version": "2"}))
        latest = {i["id"]: i["latest"] for i in self.listed()}
        self.assertEqual(latest, {old: False, new: True})

    def test_bad_flags_are_usage_errors(self):
        self.assertIn("unknown field", self.pod("image", "list", "--fields=id,bogus", check=254).stderr)
        self.pod("image", "list", "--order=sideways", check=254)
        self.pod("image", "list", "--format=yaml", check=254)

    def test_empty_store_lists_only_the_legend(self):
        res = self.pod("image", "list", check=0)
        self.assertEqual(len(res.stdout.splitlines()), 1)
        self.assertEqual(self.pod("image", "list", "--no-legend", check=0).stdout, "")
        self.assertEqual(self.listed(), [])


class ImageRmExportTest(StoreTestCase):
    def test_export_is_byte_identical_for_every_compression(self):
        for comp in ("gzip", "xz", "none"):
            aci = self.make_image("example.com/exp-" + comp, {"f": os.urandom(3000)}, compression=comp)
            image_id = self.fetch(aci)
            out = os.path.join(self.root, "exported-%s.aci" % comp)
            self.pod("image", "export", image_id[:20], out, check=0)
            with open(aci, "rb") as a, open(out, "rb") as b:
                self.assertEqual(a.read(), b.read(), comp)
            # The output exists now: refused without --overwrite, replaced with it.
            res = self.pod("image", "export", "example.com/exp-" + comp, out, check=254)
            self.assertIn("--overwrite", res.stderr)
            self.pod("image", "export", "--overwrite", "example.com/exp-" + comp, out, check=0)
        self.assertFalse([n for n in os.listdir(self.root) if ".tmp-" in n], "temp file left")

    def test_rm_by_id_prefix_and_by_name_and_missing_ones_fail(self):
        a = self.fetch(self.make_image("example.com/rm-a", {"a": b"1"}))
        b1 = self.fetch(self.make_image("example.com/rm-b", {"b": b"1"}, labels={"version": "1"}))
        b2 = self.fetch(self.make_image("example.com/rm-b", {"b": b"2"}, labels={"version": "2"}))
        keep = self.fetch(self.make_image("example.com/keep", {"k": b"1"}))

        res = self.pod("image", "rm", a[:16], check=0)
        self.assertEqual(res.stdout, 'successfully removed aci for image: "%s"\n' % a)
        self.assertIn("1 image(s) successfully removed", res.stderr)
        self.assertFalse(os.path.exists(self.cas("blob", "sha512", a[7:9], a[7:])))

        # A name that matches nothing is reported, not a failure (rkt).
        res = self.pod("image", "rm", "example.com/rm-b", "example.com/nope", check=0)
        self.assertIn("2 image(s) successfully removed", res.stderr)
        self.assertIn("example.com/nope", res.stderr)
        self.assertEqual(self.listed_ids(), [keep])
        self.assertNotIn(b1, self.listed_ids())
        self.assertNotIn(b2, self.listed_ids())
        self.pod("image", "rm", check=254)
        self.assert_store_consistent()

    def test_cat_manifest_reads_stored_images_by_id_and_name(self):
        image_id = self.fetch(self.make_image("example.com/cat", {"f": b"x"}, labels={"version": "2"}))
        by_name = json.loads(self.pod("image", "cat-manifest", "example.com/cat:2", check=0).stdout)
        self.assertEqual(by_name["name"], "example.com/cat")
        by_id = self.pod("image", "cat-manifest", "--pretty-print=false", image_id[:24], check=0)
        self.assertEqual(json.loads(by_id.stdout), by_name)
        res = self.pod("image", "cat-manifest", "example.com/cat:3", check=254)
        self.assertIn("example.com/cat:3", res.stderr)

    def test_a_removed_image_can_be_fetched_again(self):
        aci = self.make_image("example.com/again", {"f": b"x"})
        image_id = self.fetch(aci)
        self.pod("image", "rm", image_id, check=0)
        self.assertEqual(self.listed_ids(), [])
        self.assertEqual(self.fetch(aci), image_id)
        self.assertEqual(self.listed_ids(), [image_id])


class ImageExtractRenderTest(StoreTestCase):
    def setUp(self):
        super().setUp()
        self.base = self.fetch(self.make_image(
            "example.com/base", {"etc/os-release": b"base\n", "etc/base-only": b"b\n",
                                 "bin/tool": b"base-tool"}, labels={"version": "1"}))
        self.top = self.fetch(self.make_image(
            "example.com/top", {"bin/tool": b"top-tool", "app": b"app"},
            deps=[{"imageName": "example.com/base", "labels": [{"name": "version", "value": "1"}]}],
            whitelist=["/bin/tool", "/app", "/etc/os-release"]))

    def read(self, *parts):
        with open(os.path.join(self.root, *parts), "rb") as f:
            return f.read()

    def test_extract_is_the_image_alone(self):
        out = os.path.join(self.root, "ex")
        self.pod("image", "extract", "example.com/top", out, check=0)
        self.assertEqual(sorted(os.listdir(out)), ["manifest", "rootfs"])
        self.assertEqual(json.loads(self.read("ex", "manifest"))["name"], "example.com/top")
        self.assertEqual(self.read("ex", "rootfs", "bin", "tool"), b"top-tool")
        self.assertFalse(os.path.exists(os.path.join(out, "rootfs", "etc")))

        self.pod("image", "extract", "example.com/top", out, check=254)
        self.pod("image", "extract", "--overwrite", "--rootfs-only", self.base, out, check=0)
        self.assertEqual(sorted(os.listdir(out)), ["bin", "etc"])
        self.assertEqual(self.read("ex", "etc", "os-release"), b"base\n")
        self.assertFalse([n for n in os.listdir(self.root) if n.startswith(".pod-")], "temp left")

    def test_render_applies_dependencies_and_the_whitelist(self):
        out = os.path.join(self.root, "rendered")
        self.pod("image", "render", self.top[:30], out, check=0)
        self.assertEqual(sorted(os.listdir(out)), ["manifest", "rootfs"])
        self.assertEqual(self.read("rendered", "rootfs", "bin", "tool"), b"top-tool")
        self.assertEqual(self.read("rendered", "rootfs", "etc", "os-release"), b"base\n")
        self.assertEqual(self.read("rendered", "rootfs", "app"), b"app")
        self.assertFalse(os.path.exists(os.path.join(out, "rootfs", "etc", "base-only")))

        only = os.path.join(self.root, "rootfs-only")
        self.pod("image", "render", "--rootfs-only", "example.com/top", only, check=0)
        self.assertEqual(sorted(os.listdir(only)), ["app", "bin", "etc"])

    def test_render_without_its_dependency_fails_naming_it(self):
        self.pod("image", "rm", self.base, check=0)
        res = self.pod("image", "render", "example.com/top", os.path.join(self.root, "r"), check=254)
        self.assertIn("example.com/base", res.stderr)
        self.assertIn("rendering image example.com/top: ", res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "r")))


class ImageGcTest(StoreTestCase):
    def trees(self):
        return sorted(n for n in os.listdir(self.cas("tree")))

    def test_gc_removes_unused_trees_then_old_images(self):
        used = self.fetch(self.make_image("example.com/used", {"u": b"1"}))
        unused = self.fetch(self.make_image("example.com/unused", {"n": b"1"}))
        self.assertEqual(len(self.trees()), 2)  # fetching rendered both trees
        # A pod names the first image's tree: gc must keep it.
        tree_of_used = None
        for t in self.trees():
            with open(self.cas("tree", t, "manifest")) as f:
                if json.load(f)["name"] == "example.com/used":
                    tree_of_used = t
        pod = os.path.join(self.data_dir, "pods", "run", "11111111-2222-4333-8444-555555555555")
        os.makedirs(os.path.join(pod, "appsinfo", "app"))
        with open(os.path.join(pod, "appsinfo", "app", "treeStoreID"), "w") as f:
            f.write(tree_of_used)

        res = self.pod("image", "gc", check=0)  # default grace period: 24h
        self.assertIn("removed treestore", res.stdout)
        self.assertEqual(self.trees(), [tree_of_used])
        self.assertEqual(self.listed_ids(), sorted([used, unused]))

        res = self.pod("image", "gc", "--grace-period=0s", check=0)
        self.assertIn("2 image(s) successfully removed", res.stdout)
        self.assertEqual(self.listed_ids(), [])
        self.assertEqual(self.trees(), [tree_of_used])  # still named by the pod
        self.assertEqual(os.listdir(self.cas("blob", "sha512", used[7:9])), [])
        self.pod("image", "gc", "--grace-period=soon", check=254)


class ImportCrashTest(StoreTestCase):
    def test_kill_9_during_an_import_leaves_a_usable_store(self):
        aci = self.make_image("example.com/large", {"small": b"s"}, compression="none",
                              big_file_bytes=200 << 20)
        argv = [POD_BIN] + self.global_flags() + ["fetch", "--insecure-options=image", aci]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        tmp = self.cas("tmp")
        deadline = time.monotonic() + 60
        killed_mid_import = False
        while time.monotonic() < deadline and proc.poll() is None:
            blobs = [os.path.join(tmp, d, "blob") for d in (os.listdir(tmp) if os.path.isdir(tmp) else [])]
            if any(os.path.exists(b) and os.path.getsize(b) > (20 << 20) for b in blobs):
                proc.send_signal(signal.SIGKILL)
                killed_mid_import = True
                break
            time.sleep(0.01)
        proc.wait()
        self.assertTrue(killed_mid_import, "the import finished before it could be killed")
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        self.assertTrue(os.listdir(tmp), "the killed import left nothing to clean up?")

        # Nothing half-imported is listed, and the next commands work.
        self.assertEqual(self.listed_ids(), [])
        self.assertEqual(os.listdir(self.cas("tree")), [])
        image_id = self.fetch(aci)
        self.assertEqual(self.listed_ids(), [image_id])
        self.assertEqual(os.listdir(tmp), [], "leftovers of the killed import were not cleaned up")
        out = os.path.join(self.root, "back.aci")
        self.pod("image", "export", image_id, out, check=0)
        self.assertEqual(os.path.getsize(out), os.path.getsize(aci))
        self.assert_store_consistent()


class ConcurrencyTest(StoreTestCase):
    def test_twenty_commands_at_once_keep_the_store_consistent(self):
        pre = [self.make_image("example.com/pre%d" % i, {"f%d" % i: os.urandom(200000)})
               for i in range(4)]
        pre_ids = [self.fetch(a) for a in pre]
        same = self.make_image("example.com/same", {"s": os.urandom(500000)})
        distinct = [self.make_image("example.com/new%d" % i, {"n": os.urandom(300000)})
                    for i in range(6)]
        fetch = ["fetch", "--insecure-options=image", "--full"]
        commands = []
        commands += [fetch + [same] for _ in range(6)]                 # the same image, 6 times
        commands += [fetch + [d] for d in distinct]                    # 6 different images
        commands += [["image", "render", pre_ids[0], os.path.join(self.root, "r%d" % i)]
                     for i in range(3)]                                # renders of one image
        commands += [["image", "rm", pre_ids[1]], ["image", "rm", pre_ids[2]]]
        commands += [["image", "gc"], ["image", "gc"]]
        commands += [["image", "list", "--format=json"]]
        self.assertEqual(len(commands), 20)
        procs = [subprocess.Popen([POD_BIN] + self.global_flags() + c, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for c in commands]
        results = []
        for c, p in zip(commands, procs):
            try:
                out, err = p.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                for q in procs:
                    q.kill()
                raise
            results.append((c, p.returncode, out, err))
        for c, rc, out, err in results:
            self.assertEqual(rc, 0, "pod %s exited %d\n%s" % (" ".join(c), rc, err))

        same_ids = {results[i][2].strip() for i in range(6)}
        self.assertEqual(len(same_ids), 1, same_ids)
        new_ids = [results[6 + i][2].strip() for i in range(6)]
        expected = sorted(list(same_ids) + new_ids + [pre_ids[0], pre_ids[3]])
        self.assertEqual(self.listed_ids(), expected)
        ids, blobs = self.assert_store_consistent()
        self.assertEqual(ids, blobs, "blobs without an index row after the dust settled")
        for i in range(3):
            with open(os.path.join(self.root, "r%d" % i, "rootfs", "f0"), "rb") as f:
                self.assertEqual(len(f.read()), 200000)
        # Every image still renders and exports whole.
        for image_id in expected:
            self.pod("image", "render", "--rootfs-only", image_id,
                     os.path.join(self.root, "check-" + image_id[7:15]), check=0)
        self.assertEqual(os.listdir(self.cas("tmp")), [])
