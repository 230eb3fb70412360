"""OCI images from local sources: oci: layouts and docker-archive: tarballs made by the
test itself from busybox-static, fetched into the store (layers shared, whiteouts in
overlayfs form), run with the fly stage1, and refused when tampered with or hostile."""
import io
import json
import os
import tarfile
import unittest

from ocifixtures import Layer, OciLayout, busybox_layer, sha256
from podfixture import STAGE1_ACI, PodsTestCase


class OciTestCase(PodsTestCase):
    def setUp(self):
        super().setUp()
        if not os.path.exists("/bin/busybox"):
            self.skipTest("busybox-static is not installed")
        self.layout = OciLayout(os.path.join(self.root, "layout"))

    def fetch(self, ref, *flags, check=0):
        return self.pod("fetch", "--insecure-options=image", *flags, ref, check=check)

    def run_oci(self, ref, *args, check=0):
        return self.pod("run", "--stage1-path=" + STAGE1_ACI, "--insecure-options=image", ref, *args,
                        check=check)

    def layer_dirs(self):
        d = os.path.join(self.data_dir, "cas", "layer", "sha256")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []


class LayoutTest(OciTestCase):
    def test_fetch_prints_the_image_id_and_lists_the_image(self):
        self.layout.add_image("v1", [busybox_layer()], {"Cmd": ["/bin/true"]})
        res = self.fetch("oci:%s:v1" % self.layout.path)
        image_id = res.stdout.strip().splitlines()[-1]
        self.assertRegex(image_id, r"^sha512-[0-9a-f]{32,128}$")
        listed = self.pod_json("image", "list", "--format=json")
        self.assertTrue(any(i.get("id", "").startswith(image_id) for i in listed), listed)
        manifest = json.loads(self.pod("image", "cat-manifest", image_id, check=0).stdout)
        self.assertEqual(manifest["app"]["exec"], ["/bin/true"])
        annotations = {a["name"]: a["value"] for a in manifest["annotations"]}
        self.assertTrue(annotations["pod.oci/config-digest"].startswith("sha256:"))
        # Fetching again imports nothing new and gives the same ID.
        again = self.fetch("oci:%s:v1" % self.layout.path).stdout.strip().splitlines()[-1]
        self.assertEqual(again, image_id)

    def test_run_maps_the_config_to_the_app(self):
        cfg = {"Entrypoint": ["/bin/sh", "-c"],
               "Cmd": ["echo \"args=$0 $*\"; id; pwd; echo \"home=$HOME foo=$FOO empty=[${EMPTY-unset}]\""],
               "Env": ["FOO=bar", "EMPTY=", "PATH=/bin"], "WorkingDir": "/work/dir", "User": "app"}
        self.layout.add_image("cfg", [busybox_layer()], cfg)
        out = self.run_oci("oci:%s:cfg" % self.layout.path).stdout
        self.assertIn("uid=1000(app) gid=1000(app)", out)
        self.assertIn("groups=", out)  # supplementary groups from /etc/group (extra, more)
        self.assertIn("2000(extra)", out)
        self.assertIn("\n/work/dir\n", out)  # WorkingDir created although the image lacks it
        self.assertIn("home=/home/app foo=bar empty=[]", out)

    def test_args_replace_cmd_and_keep_the_entrypoint(self):
        self.layout.add_image("ep", [busybox_layer()],
                              {"Entrypoint": ["/bin/echo", "entry"], "Cmd": ["default", "cmd"]})
        ref = "oci:%s:ep" % self.layout.path
        self.assertEqual(self.run_oci(ref).stdout.strip(), "entry default cmd")
        self.assertEqual(self.run_oci(ref, "--", "given").stdout.strip(), "entry given")
        self.assertEqual(self.run_oci(ref, "--exec=/bin/echo", "--", "only").stdout.strip(), "only")
        # A bare --exec name is looked up in the app's PATH through the image's layers.
        self.assertEqual(self.run_oci(ref, "--exec=echo", "--", "named").stdout.strip(), "named")

    def test_numeric_user_absent_from_passwd_and_uid_gid(self):
        self.layout.add_image("u1", [busybox_layer()], {"Cmd": ["/bin/id"], "User": "4242"})
        self.layout.add_image("u2", [busybox_layer()], {"Cmd": ["/bin/id"], "User": "1000:2001"})
        self.assertIn("uid=4242 gid=0(root)", self.run_oci("oci:%s:u1" % self.layout.path).stdout)
        self.assertIn("uid=1000(app) gid=2001(more)", self.run_oci("oci:%s:u2" % self.layout.path).stdout)

    def test_whiteouts_and_opaque_directories(self):
        base = busybox_layer().dir("a").file("a/gone", "x").file("a/kept", "k").dir("b").file("b/hidden", "h")
        top = Layer().dir("a").whiteout("a/gone").dir("b").opaque("b").file("b/new", "n").whiteout("bin/cat")
        self.layout.add_image("wh", [base, top], {"Cmd": ["/bin/sh", "-c", "ls /a /b; test -e /bin/cat || echo nocat"]})
        ref = "oci:%s:wh" % self.layout.path
        out = self.run_oci(ref).stdout.split()
        self.assertEqual(out, ["/a:", "kept", "/b:", "new", "nocat"])
        # The same with the layers flattened into a copy (no overlayfs).
        out = self.pod("run", "--stage1-path=" + STAGE1_ACI, "--insecure-options=image", "--no-overlay",
                       ref, check=0).stdout.split()
        self.assertEqual(out, ["/a:", "kept", "/b:", "new", "nocat"])

    def test_rootfs_is_writable_and_layers_are_not_changed(self):
        self.layout.add_image("rw", [busybox_layer()], {"Cmd": ["/bin/sh", "-c", "echo new > /etc/passwd; cat /etc/passwd"]})
        self.assertEqual(self.run_oci("oci:%s:rw" % self.layout.path).stdout.strip(), "new")
        for d in self.layer_dirs():
            with open(os.path.join(self.data_dir, "cas/layer/sha256", d, "rootfs/etc/passwd")) as f:
                self.assertIn("root:x:0:0", f.read())

    def test_volumes_are_seeded_from_the_image_and_writable(self):
        # Docker's anonymous volumes: without a --volume, the app sees the image's files at
        # the volume's path (from every layer, whiteouts applied, owners and modes kept) in
        # a volume of the pod's own; what it writes there reaches neither the store nor
        # the next pod.
        base = (busybox_layer().dir("data", 0o750, 1000, 1000)
                .file("data/hello", "from the image\n", 0o640, 1000, 1000)
                .file("data/gone", "deleted above\n").dir("data/sub").file("data/sub/deep", "deep\n"))
        top = Layer().dir("data", 0o750, 1000, 1000).whiteout("data/gone").file("data/top", "top layer\n")
        script = ("cat /data/hello /data/top /data/sub/deep; test -e /data/gone || echo nogone; "
                  "stat -c 'mode=%a owner=%u:%g' /data /data/hello; "
                  "grep -c ' /data ' /proc/self/mountinfo; "
                  "echo written > /data/new && echo changed > /data/hello && cat /data/new /data/hello")
        self.layout.add_image("vol", [base, top], {"Cmd": ["/bin/sh", "-c", script], "User": "app",
                                                   "Volumes": {"/data": {}}})
        ref = "oci:%s:vol" % self.layout.path
        expected = ["from the image", "top layer", "deep", "nogone", "mode=750 owner=1000:1000",
                    "mode=640 owner=1000:1000", "1", "written", "changed"]
        uuid_file = os.path.join(self.root, "vol.uuid")
        for flags in (("--uuid-file-save=" + uuid_file,), ("--no-overlay",)):
            res = self.pod("run", "--stage1-path=" + STAGE1_ACI, "--insecure-options=image", *flags, ref,
                           check=0)
            self.assertEqual(res.stdout.splitlines(), expected, (flags, res.stderr))
        for d in self.layer_dirs():
            data = os.path.join(self.data_dir, "cas/layer/sha256", d, "rootfs/data")
            self.assertFalse(os.path.exists(os.path.join(data, "new")))
            if os.path.exists(os.path.join(data, "hello")):
                with open(os.path.join(data, "hello")) as f:
                    self.assertEqual(f.read(), "from the image\n")
        # The pod manifest says only what it says for an ACI: an empty volume and a mount.
        with open(uuid_file) as f:
            uuid = f.read().strip()
        manifest = json.loads(self.pod("cat-manifest", uuid, check=0).stdout)
        vol = [v for v in manifest["volumes"] if v["name"].endswith("-volume-data")]
        self.assertEqual(vol[0]["kind"], "empty", manifest)
        self.assertEqual((vol[0]["mode"], vol[0]["uid"], vol[0]["gid"]), ("0750", 1000, 1000))
        # A volume given for the mount point wins: nothing is seeded.
        host = os.path.join(self.root, "host-data")
        os.makedirs(host)
        with open(os.path.join(host, "hello"), "w") as f:
            f.write("from the host\n")
        res = self.pod("run", "--stage1-path=" + STAGE1_ACI, "--insecure-options=image",
                       "--volume=volume-data,kind=host,source=" + host, ref,
                       "--exec=/bin/sh", "--", "-c", "cat /data/hello; ls /data", check=0)
        self.assertEqual(res.stdout.split(), ["from", "the", "host", "hello"])

    def test_layers_are_shared_and_gc_frees_unused_ones(self):
        base = busybox_layer().tar_bytes()
        self.layout.add_image("one", [base, Layer().file("one", "1").tar_bytes()], {"Cmd": ["/bin/cat", "/one"]})
        self.layout.add_image("two", [base, Layer().file("two", "2").tar_bytes()], {"Cmd": ["/bin/cat", "/two"]})
        id1 = self.fetch("oci:%s:one" % self.layout.path).stdout.split()[-1]
        self.fetch("oci:%s:two" % self.layout.path)
        self.assertEqual(len(self.layer_dirs()), 3)  # the base once, and each image's own
        self.assertEqual(self.run_oci("oci:%s:two" % self.layout.path).stdout, "2")
        self.pod("image", "rm", id1, check=0)
        res = self.pod("image", "gc", check=0)
        self.assertEqual(res.stdout.count("removed layer"), 1, res.stdout)
        self.assertEqual(len(self.layer_dirs()), 2)  # "one"'s own layer went, the shared one stayed
        self.assertEqual(self.run_oci("oci:%s:two" % self.layout.path).stdout, "2")

    def test_export_to_an_aci_that_validates_and_runs(self):
        base = busybox_layer().dir("d").file("d/gone", "x")
        self.layout.add_image("ex", [base, Layer().dir("d").whiteout("d/gone").file("msg", "exported")],
                              {"Cmd": ["/bin/sh", "-c", "cat /msg; ls /d"]})
        image_id = self.fetch("oci:%s:ex" % self.layout.path).stdout.split()[-1]
        out = os.path.join(self.root, "exported.aci")
        aci_id = self.pod("image", "export", image_id, out, check=0).stdout.strip()
        self.assertTrue(aci_id.startswith("sha512-"))
        self.pod("image", "validate", out, check=0)
        names = tarfile.open(out).getnames()
        self.assertIn("rootfs/msg", names)
        self.assertNotIn("rootfs/d/gone", names)
        self.assertFalse(any(".wh." in n for n in names))
        res = self.pod("run", "--stage1-path=" + STAGE1_ACI, "--insecure-options=image", out, check=0)
        self.assertEqual(res.stdout, "exported")
        verified = self.pod("image", "verify", image_id, check=0)
        self.assertIn("2 layer(s) present", verified.stdout)

    def test_compressions(self):
        for how in ("none", "gzip", "zstd"):
            self.layout.add_image(how, [busybox_layer(), Layer().file("c", how)], {"Cmd": ["/bin/cat", "/c"]},
                                  compression=how)
            self.assertEqual(self.run_oci("oci:%s:%s" % (self.layout.path, how)).stdout, how)

    def test_layout_errors_name_what_to_do(self):
        self.layout.add_image("a", [busybox_layer()])
        self.layout.add_image("b", [busybox_layer()])
        res = self.fetch("oci:" + self.layout.path, check=254)
        self.assertIn("2 images", res.stderr)
        self.assertIn("a, b", res.stderr)
        res = self.fetch("oci:%s:nope" % self.layout.path, check=254)
        self.assertIn('no image named "nope"', res.stderr)
        res = self.fetch("oci:%s/missing" % self.root, check=254)
        self.assertIn("no such directory", res.stderr)

    def test_unsigned_local_image_is_refused_by_default(self):
        self.layout.add_image("v1", [busybox_layer()])
        res = self.pod("fetch", "oci:%s:v1" % self.layout.path, check=254)
        self.assertIn("--insecure-options=image", res.stderr)
        self.assertEqual(self.layer_dirs(), [])


class HostileTest(OciTestCase):
    def assert_refused(self, layer_bytes, *words):
        self.layout.add_image("bad", [layer_bytes])
        res = self.fetch("oci:%s:bad" % self.layout.path, check=254)
        for w in words:
            self.assertIn(w, res.stderr)
        self.assertEqual(self.layer_dirs(), [])
        self.assertEqual(self.pod_json("image", "list", "--format=json"), [])

    def test_tampered_blob_is_refused_and_nothing_is_stored(self):
        digest = self.layout.add_image("t", [busybox_layer()])
        with open(self.layout.blob_path(digest)) as f:
            layer_digest = json.load(f)["layers"][0]["digest"]
        path = self.layout.blob_path(layer_digest)
        with open(path, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 0xff]))
        res = self.fetch("oci:%s:t" % self.layout.path, check=254)
        self.assertTrue("refused" in res.stderr, res.stderr)
        self.assertEqual(self.layer_dirs(), [])
        self.assertEqual(self.pod_json("image", "list", "--format=json"), [])

    def test_dot_dot_entry(self):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            ti = tarfile.TarInfo("../escape")
            ti.size = 1
            t.addfile(ti, io.BytesIO(b"x"))
        self.assert_refused(buf.getvalue(), "refused")
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "cas", "layer", "escape")))

    def test_write_through_a_symlink(self):
        outside = os.path.join(self.root, "outside")
        os.makedirs(outside)
        layer = Layer().symlink("link", outside).file("link/pwned", "x").tar_bytes()
        self.assert_refused(layer, "symlink")
        self.assertEqual(os.listdir(outside), [])

    def test_whiteout_through_a_symlink(self):
        outside = os.path.join(self.root, "outside2")
        os.makedirs(outside)
        with open(os.path.join(outside, "victim"), "w") as f:
            f.write("safe")
        layer = Layer().symlink("link", outside).whiteout("link/victim").tar_bytes()
        self.layout.add_image("bad", [layer])
        self.fetch("oci:%s:bad" % self.layout.path, check=254)
        self.assertTrue(os.path.exists(os.path.join(outside, "victim")))

    def test_diff_id_mismatch(self):
        desc, _ = self.layout.image_manifest([busybox_layer()])
        # Rewrite the config with a wrong diff_id (and the manifest to match the new config).
        with open(self.layout.blob_path(desc["digest"])) as f:
            manifest = json.load(f)
        with open(self.layout.blob_path(manifest["config"]["digest"])) as f:
            cfg = json.load(f)
        cfg["rootfs"]["diff_ids"] = ["sha256:" + "0" * 64]
        data = json.dumps(cfg).encode()
        manifest["config"] = {"mediaType": manifest["config"]["mediaType"], "digest": self.layout.blob(data),
                              "size": len(data)}
        mdata = json.dumps(manifest).encode()
        self.layout.add("x", {"mediaType": desc["mediaType"], "digest": self.layout.blob(mdata), "size": len(mdata)})
        res = self.fetch("oci:%s:x" % self.layout.path, check=254)
        self.assertIn("uncompressed layer hashes to", res.stderr)
        self.assertEqual(self.layer_dirs(), [])


class DockerArchiveTest(OciTestCase):
    def write_archive(self, path, tags, layers, config):
        raw = [l.tar_bytes() for l in layers]
        cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": config,
                          "rootfs": {"type": "layers", "diff_ids": [sha256(r) for r in raw]}}).encode()
        cfg_name = sha256(cfg)[7:] + ".json"
        with tarfile.open(path, "w") as t:
            def add(name, data):
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            names = []
            for i, r in enumerate(raw):
                names.append("layer%d/layer.tar" % i)
                add(names[-1], r)
            add(cfg_name, cfg)
            add("manifest.json", json.dumps([{"Config": cfg_name, "RepoTags": tags, "Layers": names}]).encode())

    def test_docker_archive_fetch_and_run(self):
        path = os.path.join(self.root, "img.tar")
        self.write_archive(path, ["example.com/team/app:2"], [busybox_layer(), Layer().file("msg", "from archive")],
                           {"Cmd": ["/bin/cat", "/msg"]})
        self.assertEqual(self.run_oci("docker-archive:" + path).stdout, "from archive")
        self.assertEqual(self.run_oci("docker-archive:%s:example.com/team/app:2" % path).stdout, "from archive")
        names = [(i["name"]) for i in self.pod_json("image", "list", "--format=json")]
        self.assertTrue(any(n.startswith("example.com/team/app") for n in names), names)
        res = self.fetch("docker-archive:%s:example.com/team/app:3" % path, check=254)
        self.assertIn("example.com/team/app:2", res.stderr)


if __name__ == "__main__":
    unittest.main()
