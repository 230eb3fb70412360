"""Helpers for the functional tests of pods (run, prepare, list, status, gc...).

PodsTestCase runs real pods with the stage1-fly image and the test images of the build
tree, and cleans up after every test even when it fails: running pods are killed, then
`pod gc --grace-period=0` removes them, then podtest unmounts and deletes the root.
"""
import fcntl
import json
import os
import signal
import subprocess
import time
import unittest

from podtest import BUILD_DIR, POD_BIN, PodTestCase

IMAGES_DIR = os.path.join(BUILD_DIR, "tests", "images")
INSPECT_ACI = os.path.join(IMAGES_DIR, "inspect.aci")
BUSYBOX_ACI = os.path.join(IMAGES_DIR, "busybox.aci")
STAGE1_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-fly.aci")


def mounts_containing(text):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if text in line]


class PodsTestCase(PodTestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root: pods use namespaces and mounts")
        for path in (INSPECT_ACI, BUSYBOX_ACI, STAGE1_ACI):
            if not os.path.exists(path):
                self.skipTest("%s is not built yet (build the test_images and stage1_fly_aci targets)" % path)
        super().setUp()
        self.children = []
        self.addCleanup(self._cleanup_pods)

    # --- running pod ---------------------------------------------------------------
    def run_pod(self, *args, check=None, timeout=120, image=INSPECT_ACI, env=None):
        """`pod run IMAGE ARGS...` (image first, so per-app flags apply to it)."""
        return self.pod("run", "--insecure-options=image", image, *args, check=check,
                        timeout=timeout, env=env)

    def inspect(self, *inspect_args, flags=(), check=0):
        """Runs the inspect program in a pod; returns its stdout as {key: value}."""
        res = self.run_pod(*flags, "--", *inspect_args, check=check)
        return self.parse_kv(res.stdout), res

    @staticmethod
    def parse_kv(text):
        out = {}
        for line in text.splitlines():
            if ": " in line:
                k, v = line.split(": ", 1)
                out[k] = v
        return out

    def spawn_pod(self, *args, image=BUSYBOX_ACI):
        """Starts `pod run` in the background; the test's cleanup kills it."""
        argv = [POD_BIN] + self.global_flags() + ["run", "--insecure-options=image", image] + list(args)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.children.append(proc)
        return proc

    def spawn_sleeper(self, seconds=300, extra=()):
        """A running pod whose app sleeps; returns (process, uuid)."""
        uuid_file = os.path.join(self.root, "uuid-%d" % len(self.children))
        proc = self.spawn_pod("--uuid-file-save=" + uuid_file, *extra, "--exec=/bin/sleep", "--", str(seconds))
        uuid = self.wait_for(lambda: self._read(uuid_file), "the pod's UUID file")
        self.wait_for(lambda: self.state(uuid) == "running" and self.status_json(uuid).get("pid"),
                      "pod %s to run" % uuid)
        return proc, uuid

    @staticmethod
    def _read(path):
        try:
            with open(path) as f:
                return f.read().strip() or None
        except FileNotFoundError:
            return None

    def wait_for(self, fn, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = fn()
            if v:
                return v
            time.sleep(0.05)
        self.fail("timed out waiting for " + what)

    # --- observing ----------------------------------------------------------------
    def list_json(self):
        return json.loads(self.pod("list", "--format=json", check=0).stdout)

    def status_json(self, uuid):
        res = self.pod("status", "--format=json", uuid)
        return json.loads(res.stdout) if res.returncode == 0 else {}

    def state(self, uuid):
        return self.status_json(uuid).get("state")

    def pod_dirs(self, state):
        d = os.path.join(self.data_dir, "pods", state)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def prepare(self, *args, image=INSPECT_ACI):
        res = self.pod("prepare", "--insecure-options=image", image, *args, check=0)
        return res.stdout.strip()

    # --- cleanup ------------------------------------------------------------------
    def _cleanup_pods(self):
        for proc in self.children:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        # Apps a killed stage1 left behind: any process whose cwd is in our data dir.
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.readlink("/proc/%s/cwd" % pid).startswith(self.data_dir + "/"):
                    os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        # Pods that outlive the command that started them (a sandbox runs in its own session)
        # still hold their lock: gc would skip them and their network would outlive the test.
        run_dir = os.path.join(self.data_dir, "pods", "run")
        running = os.listdir(run_dir) if os.path.isdir(run_dir) else []
        if running:
            subprocess.run([POD_BIN] + self.global_flags() + ["stop", "--force"] + running,
                           capture_output=True, timeout=120)
            for uuid in running:
                for _ in range(100):  # the pod's processes end a moment after SIGKILL
                    if not os.path.isdir(os.path.join(run_dir, uuid)) or not self._pod_locked(run_dir, uuid):
                        break
                    time.sleep(0.1)
        subprocess.run([POD_BIN] + self.global_flags() + ["gc", "--grace-period=0s", "--expire-prepared=0s"],
                       capture_output=True, timeout=120)

    @staticmethod
    def _pod_locked(run_dir, uuid):
        try:
            fd = os.open(os.path.join(run_dir, uuid), os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        except OSError:
            return True
        finally:
            os.close(fd)


def skip_unless(condition, reason):
    return unittest.skipUnless(condition, reason)
