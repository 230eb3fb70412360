"""rkt compatibility: what a rkt user's scripts and units rely on, pinned one behaviour per
test (Documentation/rkt-differences.md lists the deliberate differences). Each test names
the rkt 1.30 behaviour it checks; rkt's own functional tests are the reference."""
import json
import os
import shutil
import signal
import subprocess
import unittest

from fetchfixtures import make_aci
from gpgkeys import Gpg
from podfixture import BUSYBOX_ACI, INSPECT_ACI, STAGE1_ACI, PodsTestCase

POD_FAILURE = 254  # rkt's status for any failure of its own
FLY = "--stage1-path=" + STAGE1_ACI  # rkt-fly's behaviours are pinned to the fly flavor


def env_of(stdout):
    return dict(line[len("env: "):].split("=", 1) for line in stdout.splitlines()
                if line.startswith("env: "))


class ExitStatusTest(PodsTestCase):
    def test_usage_errors_are_254(self):
        for argv in (["frobnicate"], ["version", "--bogus"], ["run"], ["image"],
                     ["status", "not/a/uuid"], ["gc", "--grace-period=soon"]):
            with self.subTest(argv=argv):
                res = self.pod(*argv, check=POD_FAILURE)
                self.assertTrue(res.stderr.startswith("pod: "), res.stderr)

    def test_pod_failures_are_254_and_never_an_app_status(self):
        res = self.pod("run", "--insecure-options=image", os.path.join(self.root, "none.aci"),
                       check=POD_FAILURE)
        self.assertIn("none.aci", res.stderr)
        self.pod("status", "00000000", check=POD_FAILURE)

    def test_an_app_killed_by_a_signal_kills_pod_run_with_it(self):
        # rkt-fly's app replaced stage1, so systemd saw the signal: so does pod's.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with self.subTest(sig=sig):
                res = self.run_pod(FLY, "--exec=/bin/sh", "--", "-c", "kill -%d $$" % sig,
                                   image=BUSYBOX_ACI)
                self.assertEqual(res.returncode, -sig, res.stderr)
        pods = self.list_json()
        self.assertEqual(sorted(p["apps"][0]["exit_code"] for p in pods),
                         sorted([128 + signal.SIGTERM, 128 + signal.SIGKILL]))

    def test_a_missing_executable_is_a_pod_error(self):
        res = self.run_pod(FLY, "--exec=/no/such/program", check=POD_FAILURE)
        self.assertIn("/no/such/program", res.stderr)
        # The app exiting 127 itself is the app's status, not a pod error.
        self.run_pod(FLY, "--exec=/bin/sh", "--", "-c", "exit 127", image=BUSYBOX_ACI, check=127)

    def test_image_rm_of_unknown_ids_exits_0(self):
        res = self.pod("image", "rm", "sha512-" + "0" * 64, check=0)
        self.assertIn("no image IDs found", res.stderr)
        self.assertEqual(res.stdout, "")


class ArgumentsTest(PodsTestCase):
    def test_arguments_after_double_dash_are_appended_to_the_images_exec(self):
        # The inspect image's exec is ["/inspect"]; --exec replaces it, -- appends.
        uuid = self.prepare("--", "--print-pid")
        m = json.loads(self.pod("cat-manifest", uuid, check=0).stdout)
        self.assertEqual(m["apps"][0]["app"]["exec"], ["/inspect", "--print-pid"])
        uuid = self.prepare("--exec=/bin/echo", "--", "a", "b", image=BUSYBOX_ACI)
        m = json.loads(self.pod("cat-manifest", uuid, check=0).stdout)
        self.assertEqual(m["apps"][0]["app"]["exec"], ["/bin/echo", "a", "b"])

    def test_images_without_separator_are_one_app_each(self):
        res = self.pod("prepare", "--insecure-options=image", INSPECT_ACI, BUSYBOX_ACI, check=0)
        m = json.loads(self.pod("cat-manifest", res.stdout.strip(), check=0).stdout)
        self.assertEqual([a["name"] for a in m["apps"]], ["inspect", "busybox"])
        # fly runs one app: a clear refusal naming both, and no pod left running.
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI,
                       INSPECT_ACI, BUSYBOX_ACI, check=POD_FAILURE)
        self.assertIn("exactly one app", res.stderr)
        self.assertIn("busybox", res.stderr)

    def test_a_program_name_as_exec_is_looked_up_in_the_apps_path(self):
        self.run_pod(FLY, "--exec=sh", "--", "-c", "exit 3", image=BUSYBOX_ACI, check=3)
        uuid = self.prepare("--exec=sh", image=BUSYBOX_ACI)
        m = json.loads(self.pod("cat-manifest", uuid, check=0).stdout)
        self.assertEqual(m["apps"][0]["app"]["exec"], ["/bin/sh"])
        res = self.run_pod(FLY, "--exec=no-such-program", image=BUSYBOX_ACI, check=POD_FAILURE)
        self.assertIn('"no-such-program" not found in the app\'s PATH', res.stderr)

    def test_pod_wide_set_env_wins_over_environment(self):
        env_file = os.path.join(self.root, "env")
        with open(env_file, "w") as f:
            f.write("# a comment\n; also a comment (rkt)\nFROM_FILE=file\nBOTH=file\n")
        res = self.pod("run", "--insecure-options=image", FLY, "--set-env=BOTH=pod",
                       "--set-env-file=" + env_file, INSPECT_ACI, "--environment=BOTH=app",
                       "--environment=APP_ONLY=app", "--", "--print-env", check=0)
        env = env_of(res.stdout)
        self.assertEqual(env["BOTH"], "pod")
        self.assertEqual(env["FROM_FILE"], "file")
        self.assertEqual(env["APP_ONLY"], "app")
        self.assertNotIn("; also a comment (rkt)", res.stdout)

    def test_pod_manifest_with_app_flags_conflicts(self):
        manifest = os.path.join(self.root, "pod.json")
        with open(manifest, "w") as f:
            f.write("{}")
        for flags in (["--set-env=A=1"], ["--inherit-env"], ["--port=http:8080"],
                      ["--volume=v,kind=host,source=/tmp"], ["--store-only"], ["--no-store"],
                      [INSPECT_ACI, "--exec=/bin/sh"], [INSPECT_ACI, "--user=1000"]):
            with self.subTest(flags=flags):
                res = self.pod("run", "--pod-manifest=" + manifest, *flags, check=POD_FAILURE)
                self.assertIn("conflicting flags set with --pod-manifest", res.stderr)

    def test_user_and_group_may_name_a_file_whose_owner_is_taken(self):
        # The appc spec's path form: the owner of that file in the image.
        tree = os.path.join(self.root, "tree")
        os.makedirs(tree)
        subprocess.run(["tar", "-xzf", INSPECT_ACI, "-C", tree], check=True)
        os.chown(os.path.join(tree, "rootfs", "home", "user"), 1000, 2000)
        aci = os.path.join(self.root, "owned.aci")
        self.pod("image", "build", tree, aci, check=0)
        res = self.run_pod(FLY, "--user=/home/user", "--group=/home/user", "--", "--print-user",
                           image=aci, check=0)
        kv = self.parse_kv(res.stdout)
        self.assertEqual((kv["uid"], kv["gid"]), ("1000", "2000"), res.stderr)
        res = self.run_pod(FLY, "--user=/no/such/file", "--", "--print-user", check=POD_FAILURE)
        self.assertIn("/no/such/file", res.stderr)


class EnvironmentTest(PodsTestCase):
    def test_defaults(self):
        res = self.run_pod(FLY, "--", "--print-env", check=0)
        env = env_of(res.stdout)
        self.assertEqual(env["PATH"], "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        self.assertEqual(env["SHELL"], "/bin/sh")
        self.assertEqual(env["AC_APP_NAME"], "inspect")
        # An improvement over rkt's fixed root values: from the app's passwd entry.
        res = self.run_pod(FLY, "--user=user", "--", "--print-env", check=0)
        env = env_of(res.stdout)
        self.assertEqual((env["USER"], env["LOGNAME"]), ("user", "user"))


class OutputTest(PodsTestCase):
    def test_version_has_a_features_line(self):
        res = self.pod("version", check=0)
        self.assertRegex(res.stdout, r"(?m)^Features: [-+]TPM")

    def test_cat_manifest_is_pretty_by_default(self):
        uuid = self.prepare()
        pretty = self.pod("cat-manifest", uuid, check=0).stdout
        self.assertIn('\n\t"acKind": "PodManifest"', pretty)
        compact = self.pod("cat-manifest", "--pretty-print=false", uuid, check=0).stdout
        self.assertEqual(compact.count("\n"), 1)

    def test_image_list_ids_and_names_as_rkt(self):
        image = self.pod("fetch", "--insecure-options=image", "--full", INSPECT_ACI, check=0).stdout.strip()
        res = self.pod("image", "list", "--no-legend", "--fields=id,name", check=0)
        self.assertIn(image[:7 + 12] + " ", res.stdout)
        self.assertNotIn(image[:7 + 13], res.stdout)
        listed = json.loads(self.pod("image", "list", "--format=json", check=0).stdout)
        inspect = [i for i in listed if i["id"] == image][0]
        self.assertRegex(inspect["name"], r"^[^:]+/inspect:[^:]+$")


class OsArchTest(PodsTestCase):
    def test_images_for_another_os_or_arch_or_without_labels_are_refused(self):
        cases = {
            "no-os": ({"arch": "amd64"}, "missing os label in the image manifest"),
            "no-arch": ({"os": "linux"}, "missing arch label in the image manifest"),
            "freebsd": ({"os": "freebsd", "arch": "amd64"}, 'bad os "freebsd"'),
            "armv7l": ({"os": "linux", "arch": "armv7l"}, 'bad arch "armv7l" for linux'),
        }
        if os.uname().machine != "x86_64":
            self.skipTest("the cases assume an amd64 host")
        for case, (labels, words) in cases.items():
            with self.subTest(case):
                aci = make_aci(os.path.join(self.root, case + ".aci"), "example.com/" + case,
                               labels=labels)
                res = self.pod("run", "--insecure-options=image", aci, "--exec=/x", check=POD_FAILURE)
                self.assertIn(words, res.stderr)
                self.assertIn("example.com/" + case, res.stderr)
        self.assertEqual(self.list_json(), [])


class Stage1VerificationTest(PodsTestCase):
    """Stage1 images are images: verified, except those installed with pod."""

    def setUp(self):
        super().setUp()
        # The app image comes from the store (verified when fetched), so only the stage1
        # image is left to verify.
        self.app = self.pod("fetch", "--insecure-options=image", "--full", INSPECT_ACI,
                            check=0).stdout.strip()
        self.gpg = Gpg(os.path.join(self.root, "gnupg"))
        self.addCleanup(self.gpg.stop)

    def test_a_stage1_file_outside_the_images_directory_needs_a_signature(self):
        elsewhere = os.path.join(self.root, "stage1-copy.aci")
        shutil.copyfile(STAGE1_ACI, elsewhere)
        res = self.pod("prepare", "--stage1-path=" + elsewhere, self.app, check=POD_FAILURE)
        self.assertIn("outside the stage1 images directory", res.stderr)
        self.assertIn(elsewhere + ".asc", res.stderr)
        self.assertIn("--insecure-options=image", res.stderr)
        # Signed by a key trusted for its name: accepted, and the message says why.
        fpr = self.gpg.make_key("Stage1 Signer <s1@example.com>")
        self.gpg.sign(fpr, elsewhere)
        key = os.path.join(self.root, "key.asc")
        with open(key, "wb") as f:
            f.write(self.gpg.export(fpr))
        self.pod("trust", "--prefix=pod.dev/stage1-fly", "--skip-fingerprint-review", key, check=0)
        res = self.pod("prepare", "--stage1-path=" + elsewhere, self.app, check=0)
        self.assertIn("signature of " + elsewhere + " verified", res.stderr)
        # Or explicitly unverified.
        os.unlink(elsewhere + ".asc")
        self.pod("prepare", "--insecure-options=image", "--stage1-path=" + elsewhere, self.app,
                 check=0)
        # file:// URLs and the configured default follow the same rule.
        res = self.pod("prepare", "--stage1-url=file://" + elsewhere, self.app, check=POD_FAILURE)
        self.assertIn("outside the stage1 images directory", res.stderr)

    def test_the_installed_stage1_images_are_trusted_by_location(self):
        paths = os.path.join(self.local_config, "paths.d")
        os.makedirs(paths)
        with open(os.path.join(paths, "paths.json"), "w") as f:
            json.dump({"rktKind": "paths", "rktVersion": "v1",
                       "stage1-images": os.path.dirname(STAGE1_ACI)}, f)
        res = self.pod("--debug", "prepare", "--stage1-from-dir=stage1-fly.aci", self.app, check=0)
        self.assertIn("trusted by its location", res.stderr)
        self.pod("prepare", "--stage1-path=" + STAGE1_ACI, self.app, check=0)
        # Fetched stage1 images are images like any other: image list shows them.
        listed = json.loads(self.pod("image", "list", "--format=json", check=0).stdout)
        self.assertTrue(any(i["name"].startswith("pod.dev/stage1-fly") for i in listed), listed)


class MessagesTest(PodsTestCase):
    def test_phrases_rkt_users_grep_for(self):
        res = self.pod("status", "0f746094-3438-42bc-ab37-3cf85f132e60", check=POD_FAILURE)
        self.assertIn('no matches found for "0f746094-3438-42bc-ab37-3cf85f132e60"', res.stderr)
        res = self.pod("rm", "0f746094-3438-42bc-ab37-3cf85f132e60", check=POD_FAILURE)
        self.assertIn("no matches found for", res.stderr)
        image = self.pod("fetch", "--insecure-options=image", INSPECT_ACI, check=0).stdout.strip()
        res = self.pod("image", "cat-manifest", "sha512-0123456789ab", check=POD_FAILURE)
        self.assertIn("no image IDs found", res.stderr)
        res = self.pod("image", "cat-manifest", image[:len("sha512-") + 1], check=POD_FAILURE)
        self.assertIn("image ID too short", res.stderr)
        # rkt's IDs (sha512- and 64 hex digits) are accepted wherever an ID is.
        res = self.pod("image", "cat-manifest", image[:7 + 64], check=0)
        self.assertIn("ImageManifest", res.stdout)


if __name__ == "__main__":
    unittest.main()
