"""`pod gc`: exited pods are marked, then removed after the grace period; aborted and
expired preparations are collected; running pods are never touched; nothing stays mounted."""
import os
import shutil
import time
import uuid
import unittest

from podfixture import BUSYBOX_ACI, PodsTestCase, mounts_containing


class GcTest(PodsTestCase):
    def exited_pod(self):
        f = os.path.join(self.root, "u%f" % time.time())
        self.run_pod("--uuid-file-save=" + f, check=0)
        with open(f) as fh:
            return fh.read()

    def test_grace_period(self):
        uuid = self.exited_pod()
        self.pod("gc", check=0)  # default 30m grace: marked, not removed
        self.assertEqual(self.pod_dirs("exited-garbage"), [uuid])
        self.assertEqual(self.state(uuid), "exited garbage")
        self.pod("gc", "--grace-period=1h", check=0)
        self.assertEqual(self.pod_dirs("exited-garbage"), [uuid])
        time.sleep(1.1)
        res = self.pod("gc", "--grace-period=1s", check=0)
        self.assertIn('Garbage collecting pod "%s"' % uuid, res.stdout)  # stdout, as rkt
        self.assertEqual(self.pod_dirs("exited-garbage"), [])
        self.assertEqual(self.list_json(), [])

    def test_mark_only(self):
        uuid = self.exited_pod()
        self.pod("gc", "--mark-only", "--grace-period=0s", check=0)
        self.assertEqual(self.pod_dirs("exited-garbage"), [uuid])
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(self.pod_dirs("exited-garbage"), [])

    def test_running_pods_are_never_touched(self):
        proc, running = self.spawn_sleeper()
        exited = self.exited_pod()
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual([p["name"] for p in self.list_json()], [running])
        self.assertEqual(self.state(running), "running")
        self.assertEqual(self.pod_dirs("run"), [running])
        self.assertNotIn(exited, self.pod_dirs("run"))

    def test_expire_prepared_and_aborted_prepare(self):
        prepared = self.prepare()
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(self.pod_dirs("prepared"), [prepared])
        time.sleep(1.1)
        self.pod("gc", "--grace-period=0s", "--expire-prepared=1s", check=0)
        self.assertEqual(self.pod_dirs("prepared"), [])
        # An aborted preparation: a pod directory in prepare/ that nobody holds.
        aborted = os.path.join(self.data_dir, "pods", "prepare", "0badc0de-0000-4000-8000-000000000000")
        os.makedirs(aborted)
        self.assertEqual(self.list_json()[0]["state"], "aborted prepare")
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(self.list_json(), [])

    def test_leftover_mounts_are_unmounted(self):
        uuid = self.exited_pod()
        rootfs = os.path.join(self.data_dir, "pods", "run", uuid, "stage1", "rootfs")
        # Something left mounted below the pod in the host's namespace (e.g. by a crashed
        # older stage1): gc must unmount it, never delete through it.
        keep = os.path.join(self.root, "keep")
        os.makedirs(keep)
        with open(os.path.join(keep, "precious"), "w") as f:
            f.write("x")
        self.assertEqual(os.system("mount --bind %s %s" % (keep, rootfs)), 0)
        self.assertEqual(len(mounts_containing(rootfs)), 1)
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(mounts_containing(self.data_dir), [])
        self.assertEqual(self.list_json(), [])
        self.assertTrue(os.path.exists(os.path.join(keep, "precious")))

    def test_many_pods_are_swept_by_workers(self):
        # 48 exited pods (one real, copies of it under new UUIDs): enough for parallel workers.
        first = self.exited_pod()
        run_dir = os.path.join(self.data_dir, "pods", "run")
        for _ in range(47):
            shutil.copytree(os.path.join(run_dir, first), os.path.join(run_dir, str(uuid.uuid4())), symlinks=True)
        self.assertEqual(len(self.list_json()), 48)
        res = self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(res.stdout.count("Garbage collecting pod \""), 48, res.stdout)  # stdout, as rkt
        self.assertEqual(self.list_json(), [])
        self.assertEqual(self.pod_dirs("exited-garbage"), [])

    def test_bad_durations(self):
        res = self.pod("gc", "--grace-period=soon", check=254)
        self.assertIn("soon", res.stderr)


if __name__ == "__main__":
    unittest.main()
