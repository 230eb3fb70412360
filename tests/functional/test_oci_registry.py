"""docker:// images from a real registry: Debian's docker-registry on a free loopback port
(plain, and with htpasswd Basic auth), fed with images the test builds and pushes with
skopeo. Covers multi-layer images, a manifest list, credentials (auth.d dockerAuth and
Docker's config.json), and simple-signing signatures made by skopeo --sign-by into a
lookaside store, checked against `pod trust` keys."""
import base64
import json
import os
import shutil
import unittest

from gpgkeys import Gpg
from ocifixtures import SKOPEO, BearerProxy, CuttingProxy, Layer, OciLayout, Registry, busybox_layer
from podfixture import STAGE1_ACI, PodsTestCase

HAVE_TOOLS = SKOPEO and os.path.exists("/usr/bin/docker-registry") and shutil.which("htpasswd")


@unittest.skipUnless(HAVE_TOOLS, "needs docker-registry, skopeo and htpasswd (scripts/install-deps.sh)")
class RegistryTestCase(PodsTestCase):
    AUTH = None  # (user, password) for an htpasswd registry

    def setUp(self):
        super().setUp()
        self.registry = Registry(os.path.join(self.root, "registry"), htpasswd_user=self.AUTH)
        self.addCleanup(self.registry.stop)
        self.layout = OciLayout(os.path.join(self.root, "layout"))
        self.host = self.registry.host

    def ref(self, name):
        return "docker://%s/%s" % (self.host, name)

    def push(self, layout_ref, name, **kw):
        return self.registry.push(os.path.join(self.layout.path) + ":" + layout_ref, name, **kw)

    def fetch(self, ref, insecure="image,http", check=0, extra=()):
        return self.pod("fetch", "--insecure-options=" + insecure, *extra, ref, check=check)

    def run_ref(self, ref, *args, insecure="image,http", check=0):
        return self.pod("run", "--stage1-path=" + STAGE1_ACI, "--insecure-options=" + insecure, ref,
                        *args, check=check)

    def layer_count(self):
        d = os.path.join(self.data_dir, "cas", "layer", "sha256")
        return len(os.listdir(d)) if os.path.isdir(d) else 0


class PlainRegistryTest(RegistryTestCase):
    def test_multi_layer_fetch_and_run(self):
        self.layout.add_image("m", [busybox_layer(), Layer().file("one", "1"), Layer().file("two", "2")],
                              {"Cmd": ["/bin/sh", "-c", "cat /one /two"]})
        self.push("m", "test/multi:1")
        image_id = self.fetch(self.ref("test/multi:1")).stdout.split()[-1]
        self.assertTrue(image_id.startswith("sha512-"))
        self.assertEqual(self.layer_count(), 3)
        self.assertEqual(self.run_ref(self.ref("test/multi:1")).stdout, "12")
        names = [i["name"] for i in self.pod_json("image", "list", "--format=json")]
        self.assertTrue(any(n.startswith(self.host + "/test/multi") for n in names), names)
        # The image commands take the reference it was fetched by.
        self.assertIn("3 layer(s) present", self.pod("image", "verify", self.ref("test/multi:1"), check=0).stdout)
        manifest = json.loads(self.pod("image", "cat-manifest", self.ref("test/multi:1"), check=0).stdout)
        self.assertEqual(manifest["app"]["exec"], ["/bin/sh", "-c", "cat /one /two"])
        self.pod("image", "rm", self.ref("test/multi:1"), check=0)
        self.pod("image", "gc", check=0)
        self.assertEqual(self.layer_count(), 3)  # the exited pod still uses them
        self.pod("gc", "--grace-period=0s", check=0)
        self.pod("image", "gc", check=0)
        self.assertEqual(self.layer_count(), 0)

    def test_plain_http_needs_insecure_http(self):
        self.layout.add_image("p", [busybox_layer()], {"Cmd": ["/bin/true"]})
        self.push("p", "test/p:1")
        res = self.fetch(self.ref("test/p:1"), insecure="image", check=254)
        self.assertIn("--insecure-options=http", res.stderr)

    def test_manifest_list_picks_this_host(self):
        self.layout.add_index("multi", [
            ("arm64", "v8", [busybox_layer(), Layer().file("arch", "arm64")], {"Cmd": ["/bin/cat", "/arch"]}),
            ("amd64", None, [busybox_layer(), Layer().file("arch", "amd64")], {"Cmd": ["/bin/cat", "/arch"]}),
        ])
        self.push("multi", "test/list:1", all_images=True)
        if os.uname().machine != "x86_64":
            self.skipTest("the test's index has an amd64 image")
        self.assertEqual(self.run_ref(self.ref("test/list:1")).stdout, "amd64")

    def test_manifest_list_without_this_host(self):
        self.layout.add_index("other", [
            ("s390x", None, [busybox_layer()], {"Cmd": ["/bin/true"]}),
            ("ppc64le", None, [busybox_layer()], {"Cmd": ["/bin/true"]}),
        ])
        self.push("other", "test/other:1", all_images=True)
        res = self.fetch(self.ref("test/other:1"), check=254)
        self.assertIn("linux/s390x", res.stderr)
        self.assertIn("linux/ppc64le", res.stderr)
        self.assertEqual(self.layer_count(), 0)

    def test_shared_layers_are_downloaded_once(self):
        base = busybox_layer().tar_bytes()
        self.layout.add_image("a", [base, Layer().file("a", "A").tar_bytes()], {"Cmd": ["/bin/cat", "/a"]})
        self.layout.add_image("b", [base, Layer().file("b", "B").tar_bytes()], {"Cmd": ["/bin/cat", "/b"]})
        self.push("a", "test/a:1")
        self.push("b", "test/b:1")
        self.fetch(self.ref("test/a:1"))
        res = self.fetch(self.ref("test/b:1"), extra=("--debug",))
        self.assertIn("1 of 2 layers fetched", res.stderr)
        self.assertEqual(self.layer_count(), 3)

    def test_by_digest_and_unknown_tag(self):
        digest = self.layout.add_image("d", [busybox_layer()], {"Cmd": ["/bin/echo", "by digest"]})
        self.push("d", "test/d:1")
        self.assertEqual(self.run_ref(self.ref("test/d@" + digest)).stdout.strip(), "by digest")
        res = self.fetch(self.ref("test/d:nope"), check=254)
        self.assertIn("not in the registry", res.stderr)

    def test_tampered_blob_in_the_registry_is_refused(self):
        digest = self.layout.add_image("t", [busybox_layer()], {"Cmd": ["/bin/true"]})
        self.push("t", "test/t:1")
        with open(self.layout.blob_path(digest)) as f:
            layer = json.load(f)["layers"][0]["digest"]
        blob = os.path.join(self.registry.root, "data", "docker", "registry", "v2", "blobs", "sha256",
                            layer[7:9], layer[7:], "data")
        with open(blob, "r+b") as f:
            f.seek(200)
            b = f.read(1)
            f.seek(200)
            f.write(bytes([b[0] ^ 0xff]))
        res = self.fetch(self.ref("test/t:1"), check=254)
        self.assertIn("refused", res.stderr)
        self.assertEqual(self.layer_count(), 0)
        self.assertEqual([i for i in self.pod_json("image", "list", "--format=json")], [])


class ResumeTest(RegistryTestCase):
    """A blob download broken midway resumes with a Range request, and the whole blob's
    digest is still checked: a resumed answer with a wrong byte stores nothing."""

    def image_with_big_layer(self, tag):
        payload = os.urandom(1 << 20)  # incompressible: the gzip blob is about 1 MiB
        digest = self.layout.add_image(tag, [busybox_layer(), Layer().file("payload", payload)],
                                       {"Cmd": ["/bin/sh", "-c", "wc -c < /payload"]})
        self.push(tag, "test/resume:" + tag)
        with open(self.layout.blob_path(digest)) as f:
            layer = json.load(f)["layers"][1]
        return layer["digest"], layer["size"]

    def proxied(self, digest, corrupt):
        proxy = CuttingProxy(self.registry.host, digest, cut_at=300000, corrupt_resume=corrupt)
        self.addCleanup(proxy.stop)
        return proxy

    def test_broken_download_resumes_with_a_range_request(self):
        digest, size = self.image_with_big_layer("ok")
        proxy = self.proxied(digest, corrupt=False)
        ref = "docker://%s/test/resume:ok" % proxy.host
        res = self.fetch(ref)
        self.assertTrue(proxy.cut_done)
        blob_gets = [rng for path, rng in proxy.requests if path.endswith("/blobs/" + digest)]
        self.assertEqual(blob_gets[0], None, proxy.requests)  # the first asks for everything
        self.assertEqual(len(blob_gets), 2, proxy.requests)   # one resumed request, not a restart
        self.assertRegex(blob_gets[1], r"^bytes=\d+-$")
        resumed_from = int(blob_gets[1][6:-1])
        self.assertTrue(0 < resumed_from <= 300000 < size, blob_gets)
        self.assertIn("resuming after", res.stderr)
        self.assertEqual(self.layer_count(), 2)
        self.assertEqual(self.run_ref(ref).stdout.strip(), str(1 << 20))

    def test_resumed_bytes_are_checked_and_nothing_is_stored(self):
        digest, _ = self.image_with_big_layer("bad")
        proxy = self.proxied(digest, corrupt=True)
        res = self.fetch("docker://%s/test/resume:bad" % proxy.host, check=254)
        self.assertTrue(any(rng for path, rng in proxy.requests if path.endswith("/blobs/" + digest)))
        self.assertIn("refused", res.stderr)
        self.assertIn(digest, res.stderr)
        self.assertEqual(self.pod_json("image", "list", "--format=json"), [])
        # The busybox layer may be complete; the broken one is not, nor any part of it.
        layers = os.path.join(self.data_dir, "cas", "layer", "sha256")
        self.assertLessEqual(self.layer_count(), 1)
        for d in os.listdir(layers) if os.path.isdir(layers) else []:
            self.assertFalse(os.path.exists(os.path.join(layers, d, "rootfs", "payload")))
        tmp = os.path.join(self.data_dir, "cas", "tmp")
        self.assertEqual(os.listdir(tmp) if os.path.isdir(tmp) else [], [])


class AuthRegistryTest(RegistryTestCase):
    AUTH = ("tester", "s3cret")

    def setUp(self):
        super().setUp()
        self.layout.add_image("s", [busybox_layer()], {"Cmd": ["/bin/echo", "authorized"]})
        self.push("s", "test/secret:1")

    def test_401_without_credentials_says_which_file_to_write(self):
        res = self.fetch(self.ref("test/secret:1"), check=254)
        self.assertIn("requires credentials", res.stderr)
        self.assertIn("dockerAuth", res.stderr)
        self.assertIn("auth.d", res.stderr)

    def write_docker_auth(self, password):
        os.makedirs(os.path.join(self.local_config, "auth.d"), exist_ok=True)
        with open(os.path.join(self.local_config, "auth.d", "registry.json"), "w") as f:
            json.dump({"rktKind": "dockerAuth", "rktVersion": "v1", "registries": [self.host],
                       "credentials": {"user": "tester", "password": password}}, f)

    def test_docker_auth_file(self):
        self.write_docker_auth("s3cret")
        self.assertEqual(self.run_ref(self.ref("test/secret:1")).stdout.strip(), "authorized")

    def test_wrong_password_names_the_file(self):
        self.write_docker_auth("wrong")
        res = self.fetch(self.ref("test/secret:1"), check=254)
        self.assertIn("registry.json", res.stderr)

    def test_docker_config_json(self):
        cfg_dir = os.path.join(self.root, "dockercfg")
        os.makedirs(cfg_dir)
        with open(os.path.join(cfg_dir, "config.json"), "w") as f:
            json.dump({"auths": {self.host: {"auth": base64.b64encode(b"tester:s3cret").decode()}}}, f)
        env = dict(os.environ, DOCKER_CONFIG=cfg_dir)
        res = self.pod("fetch", "--insecure-options=image,http", self.ref("test/secret:1"), env=env, check=0)
        self.assertTrue(res.stdout.strip().startswith("sha512-"))
        res = self.pod("fetch", "--insecure-options=image,http", "--pull-policy=update",
                       "--docker-config=" + os.path.join(cfg_dir, "config.json"), self.ref("test/secret:1"),
                       check=0)
        self.assertTrue(res.stdout.strip().startswith("sha512-"))


class BearerTokenTest(RegistryTestCase):
    """The registry behind a front asking for Bearer tokens from its own token service."""

    def front(self, user=None, password=None):
        proxy = BearerProxy(self.registry.host, user, password)
        self.addCleanup(proxy.stop)
        return proxy

    def setUp(self):
        super().setUp()
        self.layout.add_image("t", [busybox_layer(), Layer().file("m", "token ok")], {"Cmd": ["/bin/cat", "/m"]})
        self.push("t", "test/tok:1")

    def test_anonymous_token(self):
        proxy = self.front()
        ref = "docker://%s/test/tok:1" % proxy.host
        self.assertEqual(self.run_ref(ref).stdout, "token ok")
        self.assertIn("repository:test/tok:pull", proxy.scopes)

    def test_token_with_credentials(self):
        proxy = self.front("tok", "pw")
        ref = "docker://%s/test/tok:1" % proxy.host
        res = self.fetch(ref, check=254)
        self.assertIn("requires credentials", res.stderr)
        os.makedirs(os.path.join(self.user_config, "auth.d"))
        with open(os.path.join(self.user_config, "auth.d", "tok.json"), "w") as f:
            json.dump({"rktKind": "dockerAuth", "rktVersion": "v1", "registries": [proxy.host],
                       "credentials": {"user": "tok", "password": "pw"}}, f)
        self.assertEqual(self.run_ref(ref).stdout, "token ok")


class SignedRegistryTest(RegistryTestCase):
    def setUp(self):
        super().setUp()
        self.gpg = Gpg(os.path.join(self.root, "gnupg"))
        self.addCleanup(self.gpg.stop)
        self.fpr = self.gpg.make_key("Pod OCI Test <oci@example.com>")
        self.sigstore = os.path.join(self.root, "sigstore")
        regd = os.path.join(self.root, "registries.d")
        os.makedirs(regd)
        with open(os.path.join(regd, "pod-test.yaml"), "w") as f:
            f.write("docker:\n  %s:\n    sigstore-staging: file://%s\n" % (self.host, self.sigstore))
        self.regd = regd
        os.makedirs(os.path.join(self.local_config, "sigstore.d"))
        with open(os.path.join(self.local_config, "sigstore.d", "test.json"), "w") as f:
            json.dump({"podKind": "sigstore", "podVersion": "v1", "prefix": self.host,
                       "lookaside": "file://" + self.sigstore}, f)
        keyfile = os.path.join(self.root, "key.asc")
        with open(keyfile, "wb") as f:
            f.write(self.gpg.export(self.fpr))
        self.keyfile = keyfile

    def trust(self, prefix):
        self.pod("trust", "--prefix=" + prefix, "--skip-fingerprint-review", self.keyfile, check=0)

    def push_signed(self, layout_ref, name):
        return self.push(layout_ref, name, sign_by=self.fpr, gpg_home=self.gpg.home, registries_d=self.regd)

    def appc_prefix(self):
        return self.host.replace(":", "-") + "/test"

    def test_signed_image_runs_and_unsigned_is_refused(self):
        self.layout.add_image("s", [busybox_layer()], {"Cmd": ["/bin/echo", "signed"]})
        self.layout.add_image("u", [busybox_layer()], {"Cmd": ["/bin/echo", "unsigned"]})
        self.push_signed("s", "test/signed:1")
        self.push("u", "test/unsigned:1")
        self.trust(self.appc_prefix())
        res = self.run_ref(self.ref("test/signed:1"), insecure="http")
        self.assertEqual(res.stdout.strip(), "signed")
        self.assertIn(self.fpr, res.stderr)
        res = self.fetch(self.ref("test/unsigned:1"), insecure="http", check=254)
        self.assertIn("no signature", res.stderr)
        self.assertIn("--insecure-options=image", res.stderr)
        self.assertEqual(self.layer_count(), 1)  # the signed image's only
        self.fetch(self.ref("test/unsigned:1"), insecure="http,image")

    def test_untrusted_key_is_refused(self):
        self.layout.add_image("s", [busybox_layer()], {"Cmd": ["/bin/true"]})
        self.push_signed("s", "test/signed:1")
        res = self.fetch(self.ref("test/signed:1"), insecure="http", check=254)
        self.assertIn("no keys are trusted", res.stderr)
        self.trust("example.com/other")
        res = self.fetch(self.ref("test/signed:1"), insecure="http", check=254)
        self.assertIn("no keys are trusted", res.stderr)

    def test_signature_for_another_digest_or_image_is_refused(self):
        da = self.layout.add_image("a", [busybox_layer()], {"Cmd": ["/bin/echo", "a"]})
        db = self.layout.add_image("b", [busybox_layer(), Layer().file("x", "y")], {"Cmd": ["/bin/echo", "b"]})
        self.push_signed("a", "test/a:1")
        self.push("b", "test/b:1")
        self.trust(self.appc_prefix())
        # a's signature placed where b's would be: it names a's digest and a's reference.
        src = os.path.join(self.sigstore, "test", "a@sha256=" + da[7:], "signature-1")
        dst_dir = os.path.join(self.sigstore, "test", "b@sha256=" + db[7:])
        os.makedirs(dst_dir)
        shutil.copy(src, os.path.join(dst_dir, "signature-1"))
        res = self.fetch(self.ref("test/b:1"), insecure="http", check=254)
        self.assertIn("is for manifest " + da, res.stderr)
        self.assertEqual(self.layer_count(), 0)
        # a pushed again as test/a:2 rewrites its signature, which then names test/a:2 only.
        self.push_signed("a", "test/a:2")
        res = self.fetch(self.ref("test/a:1"), insecure="http", check=254)
        self.assertIn("is for image", res.stderr)
        self.fetch(self.ref("test/a:2"), insecure="http")

if __name__ == "__main__":
    unittest.main()
