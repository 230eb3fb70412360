"""`pod run` failures a user meets, answered in pod's words: --no-overlay on a full disk
names the pod and the space needed, and leaves nothing half-copied."""
import os
import subprocess
import unittest

from podfixture import BUSYBOX_ACI, STAGE1_ACI, PodsTestCase
from podtest import unmount_under


class NoOverlayTest(PodsTestCase):
    def test_full_disk_is_our_message_and_leaves_nothing(self):
        small = os.path.join(self.root, "small")
        os.makedirs(small)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", small], check=True)
        self.addCleanup(unmount_under, small)
        self.data_dir = os.path.join(small, "data")
        # Import and render the images first, so only the copy lacks room.
        uuid = self.prepare("--stage1-path=" + STAGE1_ACI, image=BUSYBOX_ACI)
        self.pod("rm", uuid, check=0)
        vfs = os.statvfs(small)
        filler = os.path.join(small, "filler")
        with open(filler, "wb") as f:
            f.truncate(0)
            f.write(b"\0" * max(vfs.f_bavail * vfs.f_frsize - (256 << 10), 0))

        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI,
                       "--no-overlay", BUSYBOX_ACI, "--exec=/bin/true", check=254)
        self.assertIn("--no-overlay", res.stderr)
        self.assertRegex(res.stderr, r"running pod [0-9a-f-]{36}: ")
        self.assertRegex(res.stderr, r"needs [0-9.]+ [KM]iB free at .*, [0-9.]+ [KM]?i?B is available")
        self.assertNotIn("cp:", res.stderr)
        self.assertEqual(self.list_json(), [])
        for state in ("prepare", "prepared", "run", "exited-garbage", "garbage"):
            self.assertEqual(self.pod_dirs(state), [], state)

        os.unlink(filler)
        self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI, "--no-overlay",
                 BUSYBOX_ACI, "--exec=/bin/true", check=0)


if __name__ == "__main__":
    unittest.main()
