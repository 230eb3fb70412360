"""Shared helpers for pod's functional tests.

Every test gets its own data and config directories under a temporary root,
runs the real `pod` binary, and cleans up (mounts first, then files) even when
it fails.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

POD_BIN = os.environ.get("POD_BIN", "")
BUILD_DIR = os.environ.get("POD_BUILD_DIR", "")
SOURCE_DIR = os.environ.get("POD_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def require_root(test):
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root: pods use namespaces and mounts")


def unmount_under(prefix):
    """Unmounts everything at or below prefix, deepest first."""
    prefix = prefix.rstrip("/")
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].encode().decode("unicode_escape")
            if mp == prefix or mp.startswith(prefix + "/"):
                points.append(mp)
    for mp in sorted(points, key=lambda p: p.count("/"), reverse=True):
        subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)


class PodTestCase(unittest.TestCase):
    """A test with private --dir/--local-config/--system-config/--user-config."""

    def setUp(self):
        if not POD_BIN or not os.path.exists(POD_BIN):
            self.fail("POD_BIN is not set to the built pod binary (run through ctest)")
        self.root = tempfile.mkdtemp(prefix="podtest-")
        self.addCleanup(self._cleanup_root)
        self.data_dir = os.path.join(self.root, "data")
        self.local_config = os.path.join(self.root, "etc")
        self.system_config = os.path.join(self.root, "usrlib")
        self.user_config = os.path.join(self.root, "user")
        for d in (self.data_dir, self.local_config, self.system_config, self.user_config):
            os.makedirs(d)

    def _cleanup_root(self):
        unmount_under(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    def global_flags(self):
        return ["--dir=" + self.data_dir, "--local-config=" + self.local_config,
                "--system-config=" + self.system_config, "--user-config=" + self.user_config]

    def pod(self, *args, check=None, input=None, timeout=120, env=None, globals=True):
        """Runs pod with this test's directories; returns CompletedProcess (text).

        check=0 (or any int) asserts that exit code, printing stderr on mismatch.
        """
        argv = [POD_BIN] + (self.global_flags() if globals else []) + list(args)
        res = subprocess.run(argv, capture_output=True, text=True, input=input,
                             timeout=timeout, env=env)
        if check is not None:
            self.assertEqual(res.returncode, check,
                             "pod %s exited %d, wanted %d\nstdout:\n%s\nstderr:\n%s" %
                             (" ".join(args), res.returncode, check, res.stdout, res.stderr))
        return res

    def pod_json(self, *args):
        res = self.pod(*args, check=0)
        return json.loads(res.stdout)
