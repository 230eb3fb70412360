"""pod fetch: local files, https and http URLs, meta discovery, pull policies, the
ETag/max-age cache, retries, auth.d, signatures (good, missing, untrusted, bad,
expired, revoked) and concurrent fetches, against a real loopback server."""
import glob
import json
import os
import subprocess
import time
import unittest

from fetchfixtures import FetchTestCase, make_aci, read, run_on_terminal
from podtest import POD_BIN
from testserver import closed_port, discovery_page

PREFIX = "example.com/hello"


class FetchFileTest(FetchTestCase):
    def test_insecure_local_file_prints_only_the_id(self):
        path = make_aci(os.path.join(self.work, "hello.aci"), PREFIX)
        res = self.pod("fetch", "--insecure-options=image", path, check=0)
        self.assertRegex(res.stdout, r"^sha512-[0-9a-f]{32}\n$")
        self.assertIn("signature verification is disabled", res.stderr)
        full = self.fetch_ok("--insecure-options=image", "file://" + path)
        self.assertTrue(full[0].startswith(res.stdout.strip()))

    def test_signed_local_file(self):
        fpr = self.gpg.make_key("Hello Signer <hello@example.com>")
        self.trust(fpr, PREFIX)
        path, _ = self.signed_image(PREFIX, fpr)
        res = self.pod("fetch", "--full", path, check=0)
        self.assertRegex(res.stdout, r"^sha512-[0-9a-f]{128}\n$")
        self.assertIn("signed by " + fpr, res.stderr)

    def test_local_file_without_signature_is_refused(self):
        path = make_aci(os.path.join(self.work, "hello.aci"), PREFIX)
        self.fetch_fails(path, expect=["no signature " + path + ".asc",
                                       "--insecure-options=image"])
        self.assertEqual(glob.glob(os.path.join(self.data_dir, "cas/blob/*/*/*")), [])

    def test_root_key_signs_for_every_prefix(self):
        fpr = self.gpg.make_key("Root Signer <root@example.com>")
        self.trust(fpr, None)
        path, _ = self.signed_image("other.org/anything", fpr)
        self.fetch_ok(path)

    def test_signature_flag_names_the_preceding_images_signature(self):
        fpr = self.gpg.make_key("Hello Signer <hello@example.com>")
        self.trust(fpr, PREFIX)
        one, sig_one = self.signed_image(PREFIX, fpr, filename="one.aci")
        two, sig_two = self.signed_image(PREFIX, fpr, filename="two.aci",
                                         labels={"version": "2.0"})
        elsewhere = os.path.join(self.work, "sigs")
        os.makedirs(elsewhere)
        os.rename(sig_one, os.path.join(elsewhere, "1.asc"))
        os.rename(sig_two, os.path.join(elsewhere, "2.asc"))
        self.fetch_fails(one, expect=["no signature " + one + ".asc"])
        ids = self.fetch_ok(one, "--signature", os.path.join(elsewhere, "1.asc"),
                            two, "--signature=" + os.path.join(elsewhere, "2.asc"))
        self.assertEqual(len(set(ids)), 2)
        # The signature of the other image does not verify this one.
        self.fetch_fails(one, "--signature", os.path.join(elsewhere, "2.asc"),
                         expect=["bad signature"])
        url = self.serve_image(self.https, two, "/two.aci", with_signature=False)
        self.assertEqual(self.fetch_ok("--pull-policy=update", url, "--signature",
                                       os.path.join(elsewhere, "2.asc")), ids[1:])
        self.assertEqual(self.https.downloads_of("/two.aci.asc"), 0)
        res = self.pod("fetch", "--signature", os.path.join(elsewhere, "1.asc"), one, check=254)
        self.assertIn("comes before any IMAGE", res.stderr)
        self.fetch_fails(one, "--signature", os.path.join(elsewhere, "none.asc"),
                         expect=["the signature file", "none.asc"])

    def test_missing_file(self):
        self.fetch_fails("--insecure-options=image", os.path.join(self.work, "nope.aci"),
                         expect=["nope.aci"])

    def test_no_image_is_a_usage_error(self):
        self.pod("fetch", check=254)
        self.pod("fetch", "--pull-policy=sometimes", "x.aci", check=254)


class FetchSignatureTest(FetchTestCase):
    """Every way a signature can be wrong, over https."""

    def setUp(self):
        super().setUp()
        self.good = self.gpg.make_key("Good Signer <good@example.com>")
        self.trust(self.good, PREFIX)

    def blobs(self):
        return glob.glob(os.path.join(self.data_dir, "cas/blob/*/*/*"))

    def test_signed_https_fetch(self):
        path, _ = self.signed_image(PREFIX, self.good)
        url = self.serve_image(self.https, path, "/hello.aci")
        ids = self.fetch_ok(url)
        self.assertEqual(len(ids), 1)
        self.assertEqual(self.https.downloads_of("/hello.aci"), 1)
        self.assertEqual(self.https.downloads_of("/hello.aci.asc"), 1)

    def test_no_trusted_key_for_the_prefix(self):
        path, _ = self.signed_image("example.org/untrusted", self.good)
        url = self.serve_image(self.https, path, "/u.aci")
        self.fetch_fails(url, expect=['no keys are trusted for prefix "example.org/untrusted"',
                                      "pod trust --prefix=example.org/untrusted"])
        self.assertEqual(self.blobs(), [])

    def test_signed_by_a_key_not_trusted_for_the_prefix(self):
        other = self.gpg.make_key("Other Signer <other@example.com>")
        path, _ = self.signed_image(PREFIX, other)
        url = self.serve_image(self.https, path, "/hello.aci")
        self.fetch_fails(url, expect=["is signed by key " + other,
                                      'not trusted for prefix "%s"' % PREFIX])
        self.assertEqual(self.blobs(), [])

    def test_tampered_image_has_a_bad_signature(self):
        path, sig = self.signed_image(PREFIX, self.good)
        make_aci(path, PREFIX, files={"hello.txt": b"evil\n"})  # the old signature stays
        url = self.serve_image(self.https, path, "/hello.aci")
        self.fetch_fails(url, expect=["bad signature by key " + self.good,
                                      "does not match its signature"])
        self.assertEqual(self.blobs(), [])

    def test_expired_key(self):
        old = self.gpg.make_key("Old Signer <old@example.com>", expired=True)
        self.trust(old, PREFIX)
        path = make_aci(os.path.join(self.work, "old.aci"), PREFIX)
        self.gpg.sign_expired(old, path)
        url = self.serve_image(self.https, path, "/old.aci")
        self.fetch_fails(url, expect=["signed by key " + old, "which expired on 2020-01-02"])
        self.assertEqual(self.blobs(), [])

    def test_revoked_key(self):
        gone = self.gpg.make_key("Gone Signer <gone@example.com>")
        self.trust(gone, PREFIX)
        path, _ = self.signed_image(PREFIX, gone)
        self.gpg.revoke(gone)
        self.trust(gone, PREFIX)  # the trust store learns of the revocation
        url = self.serve_image(self.https, path, "/hello.aci")
        self.fetch_fails(url, expect=["signed by key " + gone, "has been revoked"])
        self.assertEqual(self.blobs(), [])

    def test_missing_signature_on_the_server(self):
        path, _ = self.signed_image(PREFIX, self.good)
        url = self.serve_image(self.https, path, "/hello.aci", with_signature=False)
        self.fetch_fails(url, expect=["no signature for image " + url, url + ".asc",
                                      "--insecure-options=image"])
        self.assertEqual(self.blobs(), [])
        self.assertEqual(self.https.downloads_of("/hello.aci"), 0,
                         "a missing signature is noticed before the image is downloaded")

    def test_insecure_image_skips_verification_with_a_warning(self):
        path = make_aci(os.path.join(self.work, "unsigned.aci"), "unsigned.org/app")
        url = self.serve_image(self.https, path, "/unsigned.aci", with_signature=False)
        res = self.pod("fetch", "--insecure-options=image", url, check=0)
        self.assertIn("signature verification is disabled", res.stderr)
        self.assertEqual(self.https.downloads_of("/unsigned.aci.asc"), 0)


class FetchTransportTest(FetchTestCase):
    def setUp(self):
        super().setUp()
        self.key = self.gpg.make_key("Signer <s@example.com>")
        self.trust(self.key, PREFIX)
        self.path, _ = self.signed_image(PREFIX, self.key)

    def test_unreachable_server_fails_with_a_clear_error(self):
        port = closed_port()
        start = time.monotonic()
        res = self.fetch_fails("https://127.0.0.1:%d/hello.aci" % port,
                               expect=["127.0.0.1:%d/hello.aci" % port,
                                       "is a server listening on 127.0.0.1 port %d" % port])
        self.assertIn("attempts", res.stderr)
        self.assertLess(time.monotonic() - start, 30, "retries must be bounded in time")

    def test_plain_http_image_url_is_fetched_and_verified(self):
        # rkt's rule: an http:// image URL is fetched with its .asc and the signature
        # protects it; --insecure-options=http governs discovery, not this.
        url = self.serve_image(self.http, self.path, "/hello.aci")
        self.fetch_ok(url)
        self.assertEqual(self.http.downloads_of("/hello.aci.asc"), 1)
        self.assertEqual(self.http.downloads_of("/hello.aci"), 1)
        unsigned = make_aci(os.path.join(self.work, "unsigned.aci"), PREFIX, labels={"version": "2"})
        url = self.serve_image(self.http, unsigned, "/unsigned.aci", with_signature=False)
        self.fetch_fails(url, expect=["no signature", "/unsigned.aci.asc", "--insecure-options=image"])
        self.assertEqual(self.http.downloads_of("/unsigned.aci"), 0)

    def test_untrusted_certificate(self):
        url = self.serve_image(self.https, self.path, "/hello.aci")
        env = dict(os.environ)
        env.pop("SSL_CERT_FILE", None)
        env.pop("CURL_CA_BUNDLE", None)
        res = self.pod("fetch", url, env=env, check=254)
        self.assertIn("SSL_CERT_FILE", res.stderr)
        self.assertIn("--insecure-options=tls", res.stderr)
        res = self.pod("fetch", "--insecure-options=tls", url, env=env, check=0)
        self.assertRegex(res.stdout, r"^sha512-")

    def test_transient_server_errors_are_retried(self):
        url = self.serve_image(self.https, self.path, "/hello.aci", fail_times=2)
        self.fetch_ok(url)
        self.assertEqual(len(self.https.requests_for("/hello.aci", status=500)), 2)
        self.assertEqual(self.https.downloads_of("/hello.aci"), 1)

    def test_persistent_server_errors_give_up(self):
        url = self.serve_image(self.https, self.path, "/hello.aci", fail_times=1000)
        start = time.monotonic()
        self.fetch_fails(url, expect=["HTTP 500", "attempts"])
        self.assertLessEqual(len(self.https.requests_for("/hello.aci")), 10)
        self.assertLess(time.monotonic() - start, 30)

    def test_progress_bar_only_on_a_terminal(self):
        url = self.serve_image(self.https, self.path, "/hello.aci")
        res = self.pod("fetch", url, check=0)
        self.assertNotIn("Downloading", res.stderr)
        argv = [POD_BIN] + self.global_flags() + ["fetch", "--pull-policy=update", url]
        code, out = run_on_terminal(argv, None, self.env)
        self.assertEqual(code, 0, out)
        self.assertIn("Downloading image", out)
        self.assertIn("100%", out)

    def test_a_broken_download_resumes_where_it_stopped(self):
        big = os.path.join(self.work, "big.aci")
        make_aci(big, PREFIX, files={"random.bin": os.urandom(600 * 1024)})
        self.gpg.sign(self.key, big)
        url = self.serve_image(self.https, big, "/big.aci", etag='"big-1"',
                               cut_after=200 * 1024, cut_times=2)
        res = self.pod("fetch", "--full", url, check=0)
        self.assertIn("resuming after", res.stderr)
        ranged = self.https.requests_for("/big.aci", status=206)
        self.assertEqual(len(ranged), 2)
        self.assertEqual(ranged[0].headers.get("Range"), "bytes=%d-" % (200 * 1024))
        self.assertEqual(ranged[0].headers.get("If-Range"), '"big-1"')
        self.assertEqual(self.https.downloads_of("/big.aci"), 1)
        self.assertEqual(self.pod("image", "verify", res.stdout.strip(), check=0).returncode, 0)

    def test_a_broken_download_without_etag_starts_over(self):
        big = os.path.join(self.work, "big.aci")
        make_aci(big, PREFIX, files={"random.bin": os.urandom(600 * 1024)})
        self.gpg.sign(self.key, big)
        url = self.serve_image(self.https, big, "/big.aci", cut_after=200 * 1024, cut_times=1)
        self.fetch_ok(url)
        self.assertEqual(self.https.requests_for("/big.aci", status=206), [])
        self.assertEqual(self.https.downloads_of("/big.aci"), 2)

    def test_redirects_are_followed_but_never_down_to_http(self):
        target = self.serve_image(self.https, self.path, "/real/hello.aci")
        self.https.add("/moved.aci", b"", status=302, location=target)
        self.https.add("/moved.aci.asc", b"", status=301, location=target + ".asc")
        self.fetch_ok(self.https.url("/moved.aci"))
        self.assertEqual(self.https.downloads_of("/real/hello.aci"), 1)
        plain = self.serve_image(self.http, self.path, "/plain/hello.aci")
        self.https.add("/down.aci.asc", b"", status=302, location=plain + ".asc")
        self.https.add("/down.aci", b"", status=302, location=plain)
        self.fetch_fails(self.https.url("/down.aci"), expect=["Protocol"])
        self.assertEqual(self.http.requests, [])

    def test_not_found(self):
        self.fetch_fails(self.https.url("/nothing.aci"), expect=["not found (HTTP 404)"])


class FetchCacheTest(FetchTestCase):
    def setUp(self):
        super().setUp()
        self.key = self.gpg.make_key("Signer <s@example.com>")
        self.trust(self.key, PREFIX)
        self.path, _ = self.signed_image(PREFIX, self.key)

    def test_default_policy_uses_the_store_for_a_url_fetched_before(self):
        url = self.serve_image(self.https, self.path, "/hello.aci")
        first = self.fetch_ok(url)
        self.https.clear_log()
        self.assertEqual(self.fetch_ok(url), first)
        self.assertEqual(self.https.requests, [])

    def test_update_with_unchanged_etag_is_not_downloaded_again(self):
        url = self.serve_image(self.https, self.path, "/hello.aci", etag='"v1"')
        first = self.fetch_ok(url)
        second = self.fetch_ok("--pull-policy=update", url)
        self.assertEqual(first, second)
        self.assertEqual(self.https.downloads_of("/hello.aci"), 1)
        conditional = self.https.requests_for("/hello.aci", status=304)
        self.assertEqual(len(conditional), 1)
        self.assertEqual(conditional[0].headers.get("If-None-Match"), '"v1"')
        self.assertEqual(self.fetch_ok("--no-store", url), first)  # rkt's alias of update
        self.assertEqual(self.https.downloads_of("/hello.aci"), 1)

    def test_update_downloads_a_changed_image(self):
        url = self.serve_image(self.https, self.path, "/hello.aci", etag='"v1"')
        first = self.fetch_ok(url)
        path2 = os.path.join(self.work, "v2.aci")
        make_aci(path2, PREFIX, labels={"version": "2.0", "os": "linux", "arch": "amd64"})
        self.gpg.sign(self.key, path2)
        self.serve_image(self.https, path2, "/hello.aci", etag='"v2"')
        second = self.fetch_ok("--pull-policy=update", url)
        self.assertNotEqual(first, second)
        self.assertEqual(self.https.downloads_of("/hello.aci"), 2)

    def test_max_age_avoids_even_asking(self):
        url = self.serve_image(self.https, self.path, "/hello.aci", etag='"v1"',
                               cache_control="max-age=600")
        first = self.fetch_ok(url)
        self.https.clear_log()
        self.assertEqual(self.fetch_ok("--pull-policy=update", url), first)
        self.assertEqual(self.https.requests, [])

    def test_never_policy(self):
        url = self.serve_image(self.https, self.path, "/hello.aci")
        self.fetch_fails("--pull-policy=never", url, expect=["--pull-policy=never"])
        self.assertEqual(self.https.requests, [])
        self.fetch_fails("--pull-policy=never", "example.com/hello:1.0",
                         expect=["not in the store"])
        ids = self.fetch_ok(url)
        self.assertEqual(self.fetch_ok("--pull-policy=never", url), ids)
        self.assertEqual(self.fetch_ok("--pull-policy=never", "example.com/hello:1.0"), ids)
        self.assertEqual(self.fetch_ok("--pull-policy=never", ids[0][:20]), ids)


class FetchAuthTest(FetchTestCase):
    def setUp(self):
        super().setUp()
        key = self.gpg.make_key("Signer <s@example.com>")
        self.trust(key, PREFIX)
        self.path, _ = self.signed_image(PREFIX, key)

    def write_auth(self, config_dir, auth_type, credentials):
        d = os.path.join(config_dir, "auth.d")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "test.json"), "w") as f:
            json.dump({"rktKind": "auth", "rktVersion": "v1",
                       "domains": ["127.0.0.1:%d" % self.https.port],
                       "type": auth_type, "credentials": credentials}, f)

    def serve_protected(self, auth):
        self.https.add("/p/hello.aci", read(self.path), auth=auth)
        self.https.add("/p/hello.aci.asc", read(self.path + ".asc"), auth=auth)
        return self.https.url("/p/hello.aci")

    def test_basic_auth(self):
        url = self.serve_protected(("basic", "bar", "baz"))
        self.fetch_fails(url, expect=["401 Unauthorized", "auth.d"])
        self.write_auth(self.user_config, "basic", {"user": "bar", "password": "wrong"})
        self.fetch_fails(url, expect=["401", "were refused"])
        self.write_auth(self.user_config, "basic", {"user": "bar", "password": "baz"})
        self.fetch_ok(url)

    def test_bearer_auth(self):
        url = self.serve_protected(("bearer", "s3cret-token"))
        self.fetch_fails(url, expect=["401"])
        self.write_auth(self.local_config, "oauth", {"token": "s3cret-token"})
        self.fetch_ok(url)

    def test_broken_auth_config_is_named(self):
        url = self.serve_protected(None)
        d = os.path.join(self.local_config, "auth.d")
        os.makedirs(d)
        with open(os.path.join(d, "broken.json"), "w") as f:
            f.write("{oops")
        self.fetch_fails(url, expect=["broken.json", "not valid JSON"])


class FetchConcurrencyTest(FetchTestCase):
    def test_twenty_concurrent_fetches(self):
        key = self.gpg.make_key("Signer <s@example.com>")
        self.trust(key, "example.com")
        urls = []
        for i in range(10):
            path, _ = self.signed_image("example.com/app%d" % i, key)
            urls.append(self.serve_image(self.https, path, "/app%d.aci" % i))
        same = urls[0]
        jobs = [same] * 10 + urls
        procs = [subprocess.Popen([POD_BIN] + self.global_flags() + ["fetch", "--full", u],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                                  text=True) for u in jobs]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=300)
            results.append((p.returncode, out, err))
        for rc, out, err in results:
            self.assertEqual(rc, 0, err)
        ids = [out.strip() for _, out, _ in results]
        self.assertEqual(len(set(ids[:10])), 1, "the same image gets the same ID")
        self.assertEqual(len(set(ids[10:])), 10, "different images get different IDs")
        self.assertEqual(ids[0], ids[10])
        listed = set(self.fetch_ok("--pull-policy=never", *urls))
        self.assertEqual(listed, set(ids[10:]))


class FetchDiscoveryTest(FetchTestCase):
    """Meta discovery needs 127.0.0.1:443 and :80; DiscoveryPorts serialises that."""

    NAME = "127.0.0.1/pod-test/app"

    def setUp(self):
        super().setUp()
        self.start_discovery_servers(http=True)
        self.key = self.gpg.make_key("App Signer <app@example.com>")
        template = self.https.url("/images/{name}-{version}-{os}-{arch}.{ext}")
        page = discovery_page([
            ("ac-discovery", "127.0.0.1/pod-test", template),
            ("ac-discovery-pubkeys", "127.0.0.1/pod-test", self.https.url("/keys.asc")),
        ])
        # The name's own page is missing: discovery must walk up to its parent.
        self.disc.add("/pod-test?ac-discovery=1", page, content_type="text/html")
        self.https.add("/keys.asc", self.gpg.export(self.key), content_type="text/plain")
        for version in ("1.0", "2.0"):
            path = os.path.join(self.work, "app-%s.aci" % version)
            make_aci(path, self.NAME, labels={"version": version, "os": "linux",
                                              "arch": "amd64"})
            self.gpg.sign(self.key, path)
            self.serve_image(self.https, path,
                             "/images/%s-%s-linux-amd64.aci" % (self.NAME, version))

    def test_fetch_by_name_with_labels(self):
        self.trust(self.key, "127.0.0.1/pod-test")
        one = self.fetch_ok(self.NAME + ":1.0")
        two = self.fetch_ok(self.NAME + ",version=2.0")
        self.assertNotEqual(one, two)
        self.assertEqual(len(self.disc.requests_for("/pod-test/app?ac-discovery=1")), 2)
        # The default policy finds a stored image without asking anyone.
        self.disc.clear_log()
        self.https.clear_log()
        self.assertEqual(self.fetch_ok(self.NAME + ":1.0"), one)
        self.assertEqual(self.disc.requests + self.https.requests, [])
        # update asks discovery again, and the unchanged image is not downloaded again.
        self.assertEqual(self.fetch_ok("--pull-policy=update", self.NAME + ":1.0"), one)
        self.assertEqual(
            self.https.downloads_of("/images/%s-1.0-linux-amd64.aci" % self.NAME), 1)

    def test_manifest_must_match_the_labels_asked_for(self):
        self.trust(self.key, "127.0.0.1/pod-test")
        wrong = os.path.join(self.work, "app-1.0.aci")
        self.https.add("/images/%s-3.0-linux-amd64.aci" % self.NAME, read(wrong))
        self.https.add("/images/%s-3.0-linux-amd64.aci.asc" % self.NAME, read(wrong + ".asc"))
        self.fetch_fails(self.NAME + ":3.0", expect=["version=3.0"])

    def test_no_matching_template(self):
        self.fetch_fails("127.0.0.1/elsewhere/app:1.0",
                         expect=["meta discovery found no image for 127.0.0.1/elsewhere/app",
                                 "https://127.0.0.1/elsewhere/app?ac-discovery=1"])

    def test_discovery_over_http_needs_insecure_http(self):
        self.trust(self.key, "127.0.0.1/pod-test")
        page = self.disc.resources["/pod-test?ac-discovery=1"].body
        self.disc.remove("/pod-test?ac-discovery=1")
        self.disc_http.add("/pod-test?ac-discovery=1", page, content_type="text/html")
        self.fetch_fails(self.NAME + ":1.0", expect=["meta discovery found no image"])
        self.assertEqual(self.disc_http.requests, [])
        self.fetch_ok("--insecure-options=http", self.NAME + ":1.0")
        self.assertEqual(len(self.disc_http.requests_for("/pod-test?ac-discovery=1")), 1)

    def test_trust_keys_from_https(self):
        self.fetch_fails(self.NAME + ":1.0", expect=["no keys are trusted"])
        res = self.pod("fetch", "--trust-keys-from-https", self.NAME + ":1.0", check=0)
        self.assertIn("trusting key " + self.key, res.stderr)
        self.assertTrue(os.path.exists(os.path.join(
            self.local_config, "trustedkeys/prefix.d", self.NAME, self.key)))


    def test_keys_over_http_need_insecure_pubkey(self):
        self.http.add("/keys.asc", self.gpg.export(self.key), content_type="text/plain")
        template = self.https.url("/images/{name}-{version}-{os}-{arch}.{ext}")
        self.disc.add("/pod-test?ac-discovery=1", discovery_page([
            ("ac-discovery", "127.0.0.1/pod-test", template),
            ("ac-discovery-pubkeys", "127.0.0.1/pod-test", self.http.url("/keys.asc")),
        ]), content_type="text/html")
        res = self.fetch_fails("--trust-keys-from-https", self.NAME + ":1.0",
                               expect=["only https is trusted", "no keys are trusted"])
        self.assertEqual(self.http.requests, [])
        res = self.pod("fetch", "--trust-keys-from-https", "--insecure-options=pubkey",
                       self.NAME + ":1.0", check=0)
        self.assertIn("trusting key " + self.key, res.stderr)


class ImageVerifyTest(FetchTestCase):
    def test_verify_stored_images_and_detect_corruption(self):
        key = self.gpg.make_key("Signer <s@example.com>")
        self.trust(key, "example.com")
        ids = []
        for i in range(2):
            path, _ = self.signed_image("example.com/v%d" % i, key)
            ids += self.fetch_ok(path)
        res = self.pod("image", "verify", check=0)
        self.assertEqual(len(res.stdout.splitlines()), 2)
        for line in res.stdout.splitlines():
            self.assertIn(": ok: hash ok, signed by " + key, line)
        self.pod("image", "verify", ids[0], check=0)
        # Corrupt one blob: that image fails, the other still verifies.
        blob = glob.glob(os.path.join(self.data_dir, "cas/blob/*/*", ids[0][len("sha512-"):]))
        self.assertEqual(len(blob), 1)
        with open(blob[0], "r+b") as f:
            f.seek(40)
            b = f.read(1)
            f.seek(40)
            f.write(bytes([b[0] ^ 0xff]))
        res = self.pod("image", "verify", check=254)
        lines = res.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        bad = [l for l in lines if l.startswith(ids[0])]
        self.assertIn("FAILED", bad[0])
        self.assertIn(": ok:", [l for l in lines if l.startswith(ids[1])][0])
        self.pod("image", "verify", ids[1], check=0)
        self.pod("image", "verify", ids[0], check=254)

    def test_verify_files_and_unsigned_images(self):
        key = self.gpg.make_key("Signer <s@example.com>")
        self.trust(key, "example.com")
        path, _ = self.signed_image("example.com/file", key)
        res = self.pod("image", "verify", path, check=0)
        self.assertIn("signed by " + key, res.stdout)
        unsigned = make_aci(os.path.join(self.work, "unsigned.aci"), "example.com/unsigned")
        res = self.pod("image", "verify", unsigned, check=254)
        self.assertIn("no signature", res.stdout)
        uid = self.fetch_ok("--insecure-options=image", unsigned)[0]
        res = self.pod("image", "verify", uid, check=254)
        self.assertIn("no signature was kept", res.stdout)
        self.pod("image", "verify", "--insecure-options=image", uid, check=0)
        self.pod("image", "verify", "sha512-0000", check=254)


if __name__ == "__main__":
    unittest.main()
