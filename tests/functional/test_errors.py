"""Bad input, as a user types it: every error names the file, image or pod, says what to
do, exits 1 (2 for a command line pod cannot understand), and leaves nothing half-written
in the store."""
import io
import json
import os
import subprocess
import tarfile
import unittest

from podtest import PodTestCase, unmount_under

MANIFEST = {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/errors"}


class ErrorsTestCase(PodTestCase):
    def write(self, path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return path

    def image_dir(self, name, manifest=MANIFEST, rootfs=True, files=None):
        """A directory for `pod image build`; manifest None leaves it out, a str is written as is."""
        d = os.path.join(self.root, "src-" + name)
        os.makedirs(d)
        if rootfs:
            os.makedirs(os.path.join(d, "rootfs"))
        for path, data in (files or {}).items():
            self.write(os.path.join(d, "rootfs", path), data)
        if manifest is not None:
            self.write(os.path.join(d, "manifest"),
                       manifest if isinstance(manifest, str) else json.dumps(manifest))
        return d

    def build(self, name, **kw):
        d = self.image_dir(name, **kw)
        out = d + ".aci"
        self.pod("image", "build", "--compression=none", d, out, check=0)
        return out

    def fetch(self, aci):
        return self.pod("fetch", "--insecure-options=image", "--full", aci, check=0).stdout.strip()

    def tar(self, name, entries, manifest=True):
        """An ACI written by hand: entries are (TarInfo kwargs, bytes or None)."""
        path = os.path.join(self.root, name)
        with tarfile.open(path, "w") as t:
            if manifest:
                data = json.dumps(MANIFEST).encode()
                ti = tarfile.TarInfo("manifest")
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            ti = tarfile.TarInfo("rootfs")
            ti.type = tarfile.DIRTYPE
            t.addfile(ti)
            for kw, data in entries:
                ti = tarfile.TarInfo(kw.pop("name"))
                for k, v in kw.items():
                    setattr(ti, k, v)
                if data is not None:
                    ti.size = len(data)
                t.addfile(ti, io.BytesIO(data) if data is not None else None)
        return path

    def assert_fails(self, res, code, *words):
        self.assertEqual(res.returncode, code,
                         "exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s" %
                         (res.returncode, code, res.stdout, res.stderr))
        for w in words:
            self.assertIn(w, res.stderr)
        self.assertNotIn("Traceback", res.stderr)
        # cxxopts' and nlohmann's own phrasing never reaches the user.
        for internal in ("\u2018", "\u2019", "[json.exception", "terminate called"):
            self.assertNotIn(internal, res.stderr)

    def assert_store_clean(self, ids=()):
        """The store lists exactly `ids`, and every listed image verifies its hash."""
        listed = json.loads(self.pod("image", "list", "--format=json", check=0).stdout)
        self.assertEqual(sorted(i["id"] for i in listed), sorted(ids))
        tmp = os.path.join(self.data_dir, "cas", "tmp")
        if os.path.isdir(tmp):
            self.assertEqual(os.listdir(tmp), [], "leftovers in cas/tmp")
        if not ids:
            self.pod("image", "verify", check=0)


class ImageBuildErrorsTest(ErrorsTestCase):
    def out(self, name):
        return os.path.join(self.root, name + ".aci")

    def test_usage(self):
        self.assert_fails(self.pod("image", "build"), 254, "needs DIR and OUT.aci")
        d = self.image_dir("ok")
        self.assert_fails(self.pod("image", "build", d), 254, "needs DIR and OUT.aci")
        self.assert_fails(self.pod("image", "build", "--compression=lzma", d, self.out("x")), 254,
                          '"lzma"', "gzip")
        self.assert_fails(self.pod("image", "build", "--bogus", d, self.out("x")), 254,
                          "unknown flag --bogus", "pod help image build")

    def test_malformed_manifests_name_the_file(self):
        cases = {
            "nomanifest": (None, ["manifest", "No such file", '"manifest" file and a "rootfs/"']),
            # pod's words: file, line, column, what was expected; not the JSON library's.
            "badjson": ('{"acKind":', ["manifest", "malformed JSON at line 1, column 1", ": expected"]),
            "noname": ({"acKind": "ImageManifest", "acVersion": "0.8.11"}, ["name", "required"]),
            "kind": (dict(MANIFEST, acKind="PodManifest"), ["acKind", "ImageManifest"]),
            "os": (dict(MANIFEST, labels=[{"name": "os", "value": "plan9"}]),
                   ["plan9", "linux"]),
            "badname": (dict(MANIFEST, name="Not A Name"), ["name"]),
        }
        for case, (manifest, words) in cases.items():
            with self.subTest(case):
                d = self.image_dir(case, manifest=manifest)
                out = self.out(case)
                res = self.pod("image", "build", d, out)
                self.assert_fails(res, 254, d, *words)
                self.assertNotIn("json.exception", res.stderr)
                self.assertNotIn("syntax error while parsing", res.stderr)
                self.assertFalse(os.path.exists(out), "half-written " + out)
                self.assertEqual([f for f in os.listdir(self.root) if f.startswith(case)], [])

    def test_missing_rootfs(self):
        d = self.image_dir("norootfs", rootfs=False)
        self.assert_fails(self.pod("image", "build", d, self.out("n")), 254, d + "/rootfs",
                          '"manifest" file and a "rootfs/" directory')

    def test_existing_output_needs_overwrite(self):
        d = self.image_dir("ok")
        out = self.out("ok")
        self.write(out, "precious")
        self.assert_fails(self.pod("image", "build", d, out), 254, out, "already exists", "--overwrite")
        with open(out) as f:
            self.assertEqual(f.read(), "precious")

    def test_output_directory_missing(self):
        d = self.image_dir("ok")
        out = os.path.join(self.root, "no", "such", "dir", "x.aci")
        self.assert_fails(self.pod("image", "build", d, out), 254, out)


class HostileArchiveTest(ErrorsTestCase):
    def check(self, aci, *words):
        # validate reports each file on stdout, one line each.
        res = self.pod("image", "validate", aci)
        self.assertEqual(res.returncode, 254, res.stdout + res.stderr)
        for w in (aci,) + words:
            self.assertIn(w, res.stdout + res.stderr)
        res = self.pod("fetch", "--insecure-options=image", aci)
        self.assert_fails(res, 254, aci, *words)
        self.assert_store_clean()

    def test_not_an_aci(self):
        junk = self.write(os.path.join(self.root, "junk.aci"), "garbage, not a tar")
        self.check(junk, "not a tar archive", "pod image build")
        empty = self.write(os.path.join(self.root, "empty.aci"), "")
        self.check(empty, "empty")

    def test_dot_dot_entry(self):
        self.check(self.tar("dotdot.aci", [({"name": "rootfs/../../evil"}, b"pwn")]),
                   "rootfs/../../evil", "refused")
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.root), "evil")))

    def test_write_through_a_symlink(self):
        outside = os.path.join(self.root, "outside")
        os.makedirs(outside)
        aci = self.tar("symlink.aci", [
            ({"name": "rootfs/l", "type": tarfile.SYMTYPE, "linkname": outside}, None),
            ({"name": "rootfs/l/evil"}, b"pwn")])
        self.check(aci, "rootfs/l", "symlink", "refused")
        self.assertEqual(os.listdir(outside), [])

    def test_entry_outside_rootfs(self):
        self.check(self.tar("other.aci", [({"name": "other/file"}, b"x")]), "other/file", "refused")

    def test_no_manifest(self):
        self.check(self.tar("nomanifest.aci", [], manifest=False), "no manifest")

    def test_missing_file(self):
        missing = os.path.join(self.root, "missing.aci")
        res = self.pod("image", "validate", missing)
        self.assertEqual(res.returncode, 254)
        self.assertIn(missing, res.stdout + res.stderr)
        self.assert_fails(self.pod("fetch", "--insecure-options=image", missing), 254, missing,
                          "No such file")
        self.assert_fails(self.pod("image", "cat-manifest", missing), 254, missing)


class FetchErrorsTest(ErrorsTestCase):
    def test_usage(self):
        self.assert_fails(self.pod("fetch"), 254, "needs at least one IMAGE")
        self.assert_fails(self.pod("fetch", "--pull-policy=sometimes", "x"), 254, '"sometimes"',
                          "never")
        self.assert_fails(self.pod("fetch", "--pull-policy"), 254,
                          "flag --pull-policy needs a value")
        self.assert_fails(self.pod("fetch", "--insecure-options=image", "ftp://example.com/a.aci"),
                          254, '"ftp"')
        self.assert_fails(self.pod("fetch", "docker://busybox:bad:tag"), 254,
                          "docker://busybox:bad:tag", "not a valid image reference")

    def test_unsigned_file_is_refused_with_a_hint(self):
        aci = self.build("unsigned")
        self.assert_fails(self.pod("fetch", aci), 254, aci + ".asc", "--insecure-options=image")
        self.assert_store_clean()

    def test_full_disk(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a tmpfs")
        big = self.build("big", files={"big": os.urandom(3 << 20)})
        small = self.build("small", manifest=dict(MANIFEST, name="example.com/small"))
        tiny = os.path.join(self.root, "tiny")
        os.makedirs(tiny)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", tiny], check=True)
        self.addCleanup(unmount_under, tiny)
        self.data_dir = tiny
        res = self.pod("fetch", "--insecure-options=image", big)
        self.assert_fails(res, 254, big, "No space left on device", tiny + "/cas", "is full",
                          "pod image gc")
        self.assert_store_clean()
        # What failed took nothing with it: a small image still fits and verifies.
        small_id = self.fetch(small)
        self.assert_store_clean([small_id])
        self.pod("image", "cat-manifest", small_id, check=0)


class StoreLookupErrorsTest(ErrorsTestCase):
    def test_missing_images_are_named(self):
        image = self.fetch(self.build("one"))
        dest = os.path.join(self.root, "dest")
        for argv in (["image", "cat-manifest", "example.com/none"],
                     ["image", "export", "example.com/none", dest + ".aci"],
                     ["image", "extract", "example.com/none", dest],
                     ["image", "render", "example.com/none", dest]):
            with self.subTest(argv[1]):
                self.assert_fails(self.pod(*argv), 254, '"example.com/none" is not in the store',
                                  "pod image list")
                self.assertFalse(os.path.exists(dest))
        # image rm reports names and IDs that match nothing but exits 0, as rkt.
        self.assert_fails(self.pod("image", "rm", "example.com/none"), 0,
                          '"example.com/none" is not in the store')
        self.assert_fails(self.pod("image", "rm", "sha512-"), 0, "is not an image ID")
        self.assert_fails(self.pod("image", "rm", "sha512-0123"), 0, "no image IDs found")
        self.assert_fails(self.pod("image", "cat-manifest", "sha512-0123"), 254,
                          "no image IDs found")
        res = self.pod("image", "verify", "example.com/none")
        self.assertEqual(res.returncode, 254)
        self.assertIn("example.com/none", res.stdout)
        self.assert_store_clean([image])

    def test_ambiguous_id_prefix(self):
        # Images until two share their first two hex digits (rkt's shortest prefix); by
        # the birthday bound that takes about twenty.
        ids, seen, prefix = [], {}, None
        while prefix is None and len(ids) < 120:
            i = len(ids)
            ids.append(self.fetch(self.build("i%d" % i, manifest=dict(MANIFEST, name="example.com/i%d" % i))))
            two = ids[-1][:len("sha512-") + 2]
            prefix = two if two in seen else None
            seen[two] = True
        self.assertIsNotNone(prefix)
        for argv in (["image", "cat-manifest", prefix],
                     ["image", "export", prefix, os.path.join(self.root, "x.aci")]):
            with self.subTest(argv[1]):
                self.assert_fails(self.pod(*argv), 254, prefix, "ambiguous", "more digits")
        # image rm reports what it cannot resolve and goes on, exiting 0, as rkt.
        self.assert_fails(self.pod("image", "rm", prefix), 0, prefix, "ambiguous")
        # Below two hex digits, rkt's words.
        self.assert_fails(self.pod("image", "cat-manifest", prefix[:-1]), 254, "image ID too short")
        self.assert_store_clean(ids)

    def test_extract_over_an_existing_directory(self):
        image = self.fetch(self.build("one"))
        dest = os.path.join(self.root, "dest")
        os.makedirs(dest)
        for cmd in ("extract", "render"):
            self.assert_fails(self.pod("image", cmd, image, dest), 254, dest, "already exists",
                              "--overwrite")

    def test_render_and_extract_onto_another_file_system(self):
        # copy_file_range refuses some pairs of file systems (EXDEV): pod copies anyway.
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a tmpfs")
        data = os.urandom(3 << 20)
        image = self.fetch(self.build("big", files={"big": data}))
        other = os.path.join(self.root, "other")
        os.makedirs(other)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", other], check=True)
        self.addCleanup(unmount_under, other)
        for cmd in ("render", "extract"):
            with self.subTest(cmd):
                dest = os.path.join(other, cmd)
                self.pod("image", cmd, image, dest, check=0)
                with open(os.path.join(dest, "rootfs", "big"), "rb") as f:
                    self.assertEqual(f.read(), data)
        # ... and when that file system is full, says so and leaves nothing behind.
        tiny = os.path.join(self.root, "tiny")
        os.makedirs(tiny)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny], check=True)
        self.addCleanup(unmount_under, tiny)
        dest = os.path.join(tiny, "render")
        self.assert_fails(self.pod("image", "render", image, dest), 254, dest,
                          "No space left on device", "rendering image " + image + ": ")
        self.assertEqual(os.listdir(tiny), [])

    def test_export_to_a_missing_directory(self):
        image = self.fetch(self.build("one"))
        out = os.path.join(self.root, "no", "such", "x.aci")
        self.assert_fails(self.pod("image", "export", image, out), 254, out,
                          "the directory %s does not exist" % os.path.dirname(out))
        self.assertFalse(os.path.exists(os.path.dirname(out)))

    def test_export_onto_a_full_disk(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a tmpfs")
        image = self.fetch(self.build("big", files={"big": os.urandom(3 << 20)}))
        tiny = os.path.join(self.root, "tiny")
        os.makedirs(tiny)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny], check=True)
        self.addCleanup(unmount_under, tiny)
        out = os.path.join(tiny, "x.aci")
        self.assert_fails(self.pod("image", "export", image, out), 254, out,
                          "No space left on device", "is full")
        self.assertEqual(os.listdir(tiny), [])


class FlagErrorsTest(ErrorsTestCase):
    def test_unknown_flags_in_pods_words(self):
        for argv in (["image", "list"], ["image", "rm", "x"], ["fetch", "x"], ["trust", "list"],
                     ["list"], ["gc"], ["status", "x"]):
            with self.subTest(" ".join(argv)):
                res = self.pod(*argv, "--bogus")
                self.assert_fails(res, 254, "unknown flag --bogus", "pod help " + argv[0])
        self.assert_fails(self.pod("image", "list", "-z"), 254, "unknown flag -z")

    def test_flag_values(self):
        self.assert_fails(self.pod("image", "list", "--format"), 254,
                          "flag --format needs a value")
        self.assert_fails(self.pod("image", "list", "--no-legend=maybe"), 254, '"maybe"',
                          "true or false")
        self.assert_fails(self.pod("image", "list", "--format=yaml"), 254, '"yaml"', "json")
        self.assert_fails(self.pod("image", "list", "--fields=id,bogus"), 254, '"bogus"', "fields are")
        self.assert_fails(self.pod("image", "gc", "--grace-period=abc"), 254, '"abc"', "30s")

    def test_stray_arguments_are_refused_before_anything_is_removed(self):
        image = self.fetch(self.build("one"))
        self.assert_fails(self.pod("image", "gc", "--grace-period=0s", image), 254,
                          "takes no arguments", image, "pod image rm")
        self.assert_store_clean([image])
        self.assert_fails(self.pod("trust", "list", "example.com"), 254, "takes no arguments")
        self.assert_fails(self.pod("image", "list", "extra"), 254, "takes no arguments")


class CommandWordsTest(ErrorsTestCase):
    def test_a_command_group_names_its_subcommands(self):
        self.assert_fails(self.pod("image"), 254, "needs a subcommand", "build", "list", "gc")
        self.assert_fails(self.pod("image", "bogus"), 254, '"bogus"', "unknown subcommand", "render")
        self.assert_fails(self.pod("bogus"), 254, 'unknown command "bogus"', "pod help")

    def test_a_global_flag_that_took_the_command_as_its_value(self):
        res = self.pod("--dir", "version", globals=False)
        self.assert_fails(res, 254, '--dir took "version" as its value', "--dir=VALUE")


class TrustErrorsTest(ErrorsTestCase):
    def test_usage(self):
        self.assert_fails(self.pod("trust"), 254, "--prefix=PREFIX or --root")
        self.assert_fails(self.pod("trust", "--root", "--prefix=example.com", "k.asc"), 254,
                          "exclude each other")
        self.assert_fails(self.pod("trust", "rm"), 254, "needs a FINGERPRINT")
        self.assert_fails(self.pod("trust", "rm", "deadbeef"), 254, '"deadbeef"', "40 hex digits")

    def test_a_bad_key_file_is_reported_before_the_review(self):
        # Without a terminal the review cannot happen, but a missing or malformed file is
        # the first thing to fix, and is what the user is told.
        missing = os.path.join(self.root, "missing.asc")
        self.assert_fails(self.pod("trust", "--prefix=example.com", missing), 254, missing,
                          "No such file")
        junk = self.write(os.path.join(self.root, "junk.asc"), "not a key\n")
        self.assert_fails(self.pod("trust", "--prefix=example.com", junk), 254,
                          "no OpenPGP public key found in " + junk, "gpg --armor --export")
        self.assertEqual(json.loads(self.pod("trust", "list", "--format=json", check=0).stdout), [])

    def test_removing_an_unknown_key(self):
        fpr = "0123456789ABCDEF0123456789ABCDEF01234567"
        self.assert_fails(self.pod("trust", "rm", fpr), 254, fpr.lower(), "pod trust list")


class JsonOutputTest(ErrorsTestCase):
    def test_every_listing_parses(self):
        image = self.fetch(self.build("one"))
        for argv in (["image", "list", "--format=json"], ["trust", "list", "--format=json"],
                     ["list", "--format=json"], ["version", "--format=json"], ["config"]):
            with self.subTest(" ".join(argv)):
                json.loads(self.pod(*argv, check=0).stdout)
        listed = json.loads(self.pod("image", "list", "--format=json", check=0).stdout)
        self.assertEqual([i["id"] for i in listed], [image])
        res = self.pod("image", "verify", "--format=json", image, "example.com/none")
        self.assertEqual(res.returncode, 254)
        self.assertIn("2 of 2 images failed", res.stderr)
        verdicts = json.loads(res.stdout)
        self.assertEqual([(v["id"], v["name"], v["ok"]) for v in verdicts],
                         [(image, "example.com/errors", False), ("", "", False)])
        self.assertIn("no signature was kept", verdicts[0]["detail"])
        self.assertIn('"example.com/none" is not in the store', verdicts[1]["detail"])
        ok = json.loads(self.pod("image", "verify", "--insecure-options=image", "--format=json",
                                 check=0).stdout)
        self.assertEqual([(v["id"], v["ok"]) for v in ok], [(image, True)])
        self.assert_fails(self.pod("image", "verify", "--format=yaml"), 254, '"yaml"')


class PodLookupErrorsTest(ErrorsTestCase):
    def test_unknown_and_malformed_uuids(self):
        for cmd in ("status", "stop", "rm", "cat-manifest", "enter", "run-prepared"):
            with self.subTest(cmd):
                self.assert_fails(self.pod(cmd, "1234"), 254, '"1234"', "pod list")
                self.assert_fails(self.pod(cmd), 254, "no pod given")
        self.assert_fails(self.pod("status", "zzzz"), 254, '"zzzz"', "UUID")
        self.assert_fails(self.pod("export", "1234", os.path.join(self.root, "x.aci")), 254,
                          '"1234"')
        self.assert_fails(self.pod("run"), 254, "no image given")
        self.assert_fails(self.pod("prepare"), 254, "no image given")

    def test_ambiguous_uuid_prefix(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to prepare pods")
        from podfixture import BUSYBOX_ACI, STAGE1_ACI
        if not (os.path.exists(BUSYBOX_ACI) and os.path.exists(STAGE1_ACI)):
            self.skipTest("the test images or stage1-fly.aci are not built")
        uuids = [self.pod("prepare", "--insecure-options=image", BUSYBOX_ACI, "--exec=/bin/true",
                          check=0).stdout.strip() for _ in range(17)]
        firsts = [u[0] for u in uuids]
        prefix = next(c for c in firsts if firsts.count(c) > 1)
        for cmd in ("status", "rm", "cat-manifest", "run-prepared"):
            with self.subTest(cmd):
                self.assert_fails(self.pod(cmd, prefix), 254, '"%s" is ambiguous' % prefix,
                                  "more characters")
        listed = json.loads(self.pod("list", "--format=json", check=0).stdout)
        self.assertEqual(sorted(p["name"] for p in listed), sorted(uuids))
        for u in uuids:
            self.pod("rm", u, check=0)


    def test_uuid_file_in_a_missing_directory_names_the_directory(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run pods")
        from podfixture import BUSYBOX_ACI, STAGE1_ACI
        if not (os.path.exists(BUSYBOX_ACI) and os.path.exists(STAGE1_ACI)):
            self.skipTest("the test images or stage1-fly.aci are not built")
        missing = os.path.join(self.root, "no-such-dir")
        res = self.pod("run", "--insecure-options=image",
                       "--uuid-file-save=" + os.path.join(missing, "uuid"), BUSYBOX_ACI,
                       "--exec=/bin/true")
        self.assert_fails(res, 254, "directory %s does not exist" % missing)
        # The pod it had prepared is gone again: nothing half-made is listed.
        self.assertEqual(json.loads(self.pod("list", "--format=json", check=0).stdout), [])

if __name__ == "__main__":
    unittest.main()
