"""The stage2 launcher on its own, as any stage1 flavor would call it.

A rootfs is the extracted inspect image; the manifests are plain files given with
--pod-manifest/--image-manifest. The launcher runs in a private mount namespace
(unshare -m), so its --pivot-root never touches the test's own mounts.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from podtest import BUILD_DIR, require_root


def value(text, key):
    for line in text.splitlines():
        if line.startswith(key + ": "):
            return line[len(key) + 2:]
    raise AssertionError("no %r line in:\n%s" % (key, text))


class LauncherTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_root(cls)
        build = BUILD_DIR or os.environ.get("POD_BUILD_DIR", "")
        cls.launcher = os.path.join(build, "stage2", "launcher")
        cls.inspect_aci = os.path.join(build, "tests", "images", "inspect.aci")
        for f in (cls.launcher, cls.inspect_aci):
            if not os.path.exists(f):
                raise AssertionError(f + " was not built")
        cls.images = tempfile.mkdtemp(prefix="podtest-stage2-")
        subprocess.run(["tar", "-xzf", cls.inspect_aci, "-C", cls.images], check=True)
        cls.rootfs = os.path.join(cls.images, "rootfs")
        with open(os.path.join(cls.images, "manifest")) as f:
            cls.image = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.images, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="podtest-stage2-run-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def launch(self, flags=(), args=(), image_app=None, runtime_app=None, pivot=True, env=None):
        image = json.loads(json.dumps(self.image))
        image["app"].update(image_app or {})
        app = {"name": "web", "image": {"name": "pod.dev/inspect", "id": "sha512-" + "0" * 64}}
        if runtime_app:
            app["app"] = runtime_app
        pod = {"acKind": "PodManifest", "acVersion": "0.8.11", "apps": [app]}
        image_file = os.path.join(self.dir, "image.json")
        pod_file = os.path.join(self.dir, "pod.json")
        with open(image_file, "w") as f:
            json.dump(image, f)
        with open(pod_file, "w") as f:
            json.dump(pod, f)
        # pivot_root needs the rootfs to be a mount point: bind it onto itself first.
        script = 'mount --bind "$ROOT" "$ROOT" && exec "$@"' if pivot else 'exec "$@"'
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                self.launcher, "--pod-manifest=" + pod_file, "--image-manifest=" + image_file,
                "--app=web", "--root=" + self.rootfs] + (["--pivot-root"] if pivot else []) + list(flags)
        if args:
            argv += ["--"] + list(args)
        run_env = dict(os.environ, ROOT=self.rootfs, **(env or {}))
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=run_env)

    def test_extra_arguments_are_appended_to_exec(self):
        res = self.launch(args=["--print-cwd", "--exit-code=5"], image_app={"exec": ["/inspect", "--print-pid"]})
        self.assertEqual(res.returncode, 5, res.stderr)
        self.assertIn("pid: ", res.stdout)
        self.assertEqual(value(res.stdout, "cwd"), "/")

    def test_replace_exec_runs_only_the_given_command(self):
        res = self.launch(flags=["--replace-exec"], args=["echo", "replaced"])
        self.assertEqual((res.returncode, res.stdout), (0, "replaced\n"), res.stderr)

    def test_rlimit_flag_and_metadata_url(self):
        res = self.launch(flags=["--rlimit=NOFILE=64:128", "--metadata-url=http://192.0.2.1/t"],
                          args=["--print-rlimit=NOFILE", "--print-env"])
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(value(res.stdout, "rlimit_NOFILE"), "64 128")
        self.assertIn("env: AC_METADATA_URL=http://192.0.2.1/t", res.stdout)
        self.assertIn("env: AC_APP_NAME=web", res.stdout)

    def test_interactive_passes_term(self):
        res = self.launch(flags=["--interactive"], args=["--print-env"], env={"TERM": "vt100"})
        self.assertIn("env: TERM=vt100", res.stdout)
        res = self.launch(args=["--print-env"], env={"TERM": "vt100"})
        self.assertNotIn("env: TERM=", res.stdout)

    def test_runtime_app_overrides_the_image(self):
        res = self.launch(runtime_app={"exec": ["/inspect", "--print-user"], "user": "user", "group": "extra"})
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(value(res.stdout, "uid"), "1000")
        self.assertEqual(value(res.stdout, "gid"), "2000")

    def test_chroot_mode_works_without_a_mount_point(self):
        res = self.launch(pivot=False, args=["--print-cwd"])
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_errors(self):
        res = self.launch(flags=["--bogus"])
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown argument", res.stderr)
        res = self.launch(flags=["--rlimit=FILES=1"])
        self.assertEqual(res.returncode, 2)
        self.assertIn("FILES", res.stderr)
        res = self.launch(image_app={"group": "wheel"})
        self.assertEqual(res.returncode, 1)
        self.assertIn('group "wheel" not found in /etc/group', res.stderr)
        res = self.launch(image_app={"workingDirectory": "/no/such/dir"})
        self.assertEqual(res.returncode, 1)
        self.assertIn("/no/such/dir", res.stderr)
        res = self.launch(image_app={"isolators": [
            {"name": "os/linux/seccomp-retain-set", "value": {"set": ["@nope/x"]}}]})
        self.assertEqual(res.returncode, 1)
        self.assertIn("@rkt/default-whitelist", res.stderr)


if __name__ == "__main__":
    unittest.main()
