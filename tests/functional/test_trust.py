"""pod trust, trust list and trust rm: key files and URLs, prefixes and root keys,
fingerprint review on a terminal (and refusal without one), discovery of a
prefix's keys, system keys and masking."""
import json
import os
import unittest

from fetchfixtures import FetchTestCase, run_on_terminal
from podtest import POD_BIN
from testserver import discovery_page

PREFIX = "example.com/app"


class TrustTest(FetchTestCase):
    def setUp(self):
        super().setUp()
        self.fpr = self.gpg.make_key("Trusted Signer <trusted@example.com>")
        self.keyfile = self.key_file(self.fpr)

    def prefix_path(self, prefix, fpr, config=None):
        return os.path.join(config or self.local_config, "trustedkeys/prefix.d", prefix, fpr)

    def test_trust_a_key_file_for_a_prefix(self):
        res = self.pod("trust", "--prefix=" + PREFIX, "--skip-fingerprint-review", self.keyfile,
                       check=0)
        path = self.prefix_path(PREFIX, self.fpr)
        # On stdout, as rkt prints it.
        self.assertEqual(res.stdout, 'Added key for prefix "%s" at "%s"\n' % (PREFIX, path))
        with open(path, "rb") as f:
            self.assertIn(b"BEGIN PGP PUBLIC KEY BLOCK", f.read())

    def test_root_key(self):
        res = self.pod("trust", "--root", "--skip-fingerprint-review", self.keyfile, check=0)
        path = os.path.join(self.local_config, "trustedkeys/root.d", self.fpr)
        self.assertIn('Added root key at "%s"' % path, res.stdout)
        self.assertTrue(os.path.exists(path))

    def test_usage_mistakes(self):
        self.pod("trust", "--skip-fingerprint-review", self.keyfile, check=254)
        self.pod("trust", "--root", "--prefix=" + PREFIX, "--skip-fingerprint-review",
                 self.keyfile, check=254)
        res = self.pod("trust", "--prefix=example.com/../etc", "--skip-fingerprint-review",
                       self.keyfile, check=254)
        self.assertIn("invalid prefix", res.stderr)
        self.pod("trust", "--root", "--skip-fingerprint-review", check=254)

    def test_not_a_key(self):
        junk = os.path.join(self.work, "junk.asc")
        with open(junk, "w") as f:
            f.write("not a key\n")
        res = self.pod("trust", "--prefix=" + PREFIX, "--skip-fingerprint-review", junk, check=254)
        self.assertIn("no OpenPGP public key found in " + junk, res.stderr)
        res = self.pod("trust", "--prefix=" + PREFIX, "--skip-fingerprint-review",
                       os.path.join(self.work, "missing.asc"), check=254)
        self.assertIn("missing.asc", res.stderr)

    def test_review_is_required_without_a_terminal(self):
        res = self.pod("trust", "--prefix=" + PREFIX, self.keyfile, input="yes\n", check=254)
        self.assertIn("not a terminal", res.stderr)
        self.assertIn("--skip-fingerprint-review", res.stderr)
        self.assertFalse(os.path.exists(self.prefix_path(PREFIX, self.fpr)))

    def test_review_on_a_terminal(self):
        argv = [POD_BIN] + self.global_flags() + ["trust", "--prefix=" + PREFIX, self.keyfile]
        code, out = run_on_terminal(argv, "no", self.env)
        self.assertEqual(code, 0, out)  # declining is not a failure (rkt)
        spaced = " ".join(self.fpr.upper()[i:i + 4] for i in range(0, 40, 4))
        self.assertIn("GPG key fingerprint is: " + spaced, out)
        self.assertIn("Trusted Signer <trusted@example.com>", out)
        self.assertIn("Are you sure you want to trust this key (yes/no)?", out)
        self.assertFalse(os.path.exists(self.prefix_path(PREFIX, self.fpr)))
        code, out = run_on_terminal(argv, "yes", self.env)
        self.assertEqual(code, 0, out)
        self.assertIn("after fingerprint review", out)
        self.assertTrue(os.path.exists(self.prefix_path(PREFIX, self.fpr)))

    def test_trust_a_key_url(self):
        self.https.add("/key.asc", self.gpg.export(self.fpr), content_type="text/plain")
        self.pod("trust", "--prefix=" + PREFIX, "--skip-fingerprint-review",
                 self.https.url("/key.asc"), check=0)
        self.assertTrue(os.path.exists(self.prefix_path(PREFIX, self.fpr)))

    def test_key_over_plain_http_needs_insecure_allow_http(self):
        self.http.add("/key.asc", self.gpg.export(self.fpr), content_type="text/plain")
        res = self.pod("trust", "--prefix=" + PREFIX, "--skip-fingerprint-review",
                       self.http.url("/key.asc"), check=254)
        self.assertIn("refusing plain http", res.stderr)
        self.pod("trust", "--prefix=" + PREFIX, "--skip-fingerprint-review",
                 "--insecure-allow-http", self.http.url("/key.asc"), check=0)
        self.assertTrue(os.path.exists(self.prefix_path(PREFIX, self.fpr)))

    def test_list_and_rm(self):
        other = self.gpg.make_key("Root Signer <root@example.com>")
        self.trust(self.fpr, PREFIX)
        self.trust(other, None)
        res = self.pod("trust", "list", check=0)
        lines = res.stdout.splitlines()
        self.assertTrue(lines[0].startswith("PREFIX"))
        self.assertEqual(len(lines), 3)
        self.assertIn(self.fpr, res.stdout)
        self.assertIn("Trusted Signer <trusted@example.com>", res.stdout)
        keys = json.loads(self.pod("trust", "list", "--format=json", check=0).stdout)
        by_fpr = {k["fingerprint"]: k for k in keys}
        self.assertEqual(by_fpr[self.fpr]["prefix"], PREFIX)
        self.assertEqual(by_fpr[other]["prefix"], "*")
        self.assertTrue(by_fpr[other]["root"])
        self.assertEqual(by_fpr[self.fpr]["source"], "local")
        self.assertEqual(len(self.pod("trust", "list", "--no-legend", check=0).stdout
                             .splitlines()), 2)

        res = self.pod("trust", "rm", self.fpr.upper(), check=0)
        self.assertIn("Removed key " + self.fpr, res.stderr)
        self.assertFalse(os.path.exists(self.prefix_path(PREFIX, self.fpr)))
        keys = json.loads(self.pod("trust", "list", "--format=json", check=0).stdout)
        self.assertEqual([k["fingerprint"] for k in keys], [other])
        res = self.pod("trust", "rm", self.fpr, check=254)
        self.assertIn("no trusted key has fingerprint " + self.fpr, res.stderr)
        self.pod("trust", "rm", "not-hex", check=254)

    def test_list_shows_gpgs_user_ids_and_names_broken_files(self):
        # pod reads the key packets itself; what it shows must be what gpg shows.
        self.gpg.run("--quick-add-uid", self.fpr, "Zweite Identität <second@example.com>")
        self.gpg.run("--quick-add-key", self.fpr, "cv25519", "encr")
        self.trust(self.fpr, PREFIX)
        shown = self.gpg.run("--with-colons", "--show-keys",
                             self.prefix_path(PREFIX, self.fpr)).stdout.decode()
        gpg_uids = [line.split(":")[9] for line in shown.splitlines() if line.startswith("uid:")]
        keys = json.loads(self.pod("trust", "list", "--format=json", check=0).stdout)
        self.assertEqual(len(gpg_uids), 2)
        self.assertEqual([k["uids"] for k in keys],
                         [[u.replace("\\x3a", ":") for u in gpg_uids]])

        broken = os.path.join(self.local_config, "trustedkeys/root.d", "ab" * 20)
        os.makedirs(os.path.dirname(broken), exist_ok=True)
        with open(broken, "w") as f:
            f.write("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64!\n"
                    "-----END PGP PUBLIC KEY BLOCK-----\n")
        res = self.pod("trust", "list", check=0)
        self.assertIn("(unreadable: %s: the armoured key block is not valid base64)" % broken,
                      res.stdout)
        self.assertIn(gpg_uids[0], res.stdout)  # the first (primary) user ID, as gpg lists it

    def test_removed_key_no_longer_verifies(self):
        self.trust(self.fpr, PREFIX)
        path, _ = self.signed_image(PREFIX, self.fpr)
        self.fetch_ok(path)
        self.pod("trust", "rm", self.fpr, check=0)
        self.fetch_fails(path, expect=['no keys are trusted for prefix "%s"' % PREFIX])

    def test_system_keys_count_and_can_be_masked(self):
        sysdir = os.path.join(self.system_config, "trustedkeys/prefix.d", "example.com")
        os.makedirs(sysdir)
        with open(os.path.join(sysdir, self.fpr), "wb") as f:
            f.write(self.gpg.export(self.fpr))
        path, _ = self.signed_image(PREFIX, self.fpr)
        self.fetch_ok(path)  # a system key for a parent prefix signs for example.com/app
        keys = json.loads(self.pod("trust", "list", "--format=json", check=0).stdout)
        self.assertEqual(keys[0]["source"], "system")
        res = self.pod("trust", "rm", self.fpr, check=0)
        self.assertIn("Masked system key " + self.fpr, res.stderr)
        self.assertTrue(os.path.exists(os.path.join(sysdir, self.fpr)), "system config is read-only")
        mask = self.prefix_path("example.com", self.fpr)
        self.assertEqual(os.path.getsize(mask), 0)
        self.fetch_fails(path, expect=["no keys are trusted"])


class TrustDiscoveryTest(FetchTestCase):
    NAME = "127.0.0.1/pod-keys"

    def setUp(self):
        super().setUp()
        self.start_discovery_servers()

    def test_discover_the_prefix_keys(self):
        fpr = self.gpg.make_key("Discovered Signer <d@example.com>")
        self.https.add("/pubkeys.asc", self.gpg.export(fpr), content_type="text/plain")
        self.disc.add("/pod-keys?ac-discovery=1", discovery_page([
            ("ac-discovery-pubkeys", self.NAME, self.https.url("/pubkeys.asc"))]),
            content_type="text/html")
        res = self.pod("trust", "--prefix=" + self.NAME, "--skip-fingerprint-review", check=0)
        path = os.path.join(self.local_config, "trustedkeys/prefix.d", self.NAME, fpr)
        self.assertIn(path, res.stdout)  # "Added key ..." on stdout, as rkt
        self.assertTrue(os.path.exists(path))

    def test_no_keys_discovered(self):
        self.disc.add("/pod-keys?ac-discovery=1", discovery_page([]), content_type="text/html")
        res = self.pod("trust", "--prefix=" + self.NAME, "--skip-fingerprint-review", check=254)
        self.assertIn("meta discovery found no public keys for " + self.NAME, res.stderr)


if __name__ == "__main__":
    unittest.main()
