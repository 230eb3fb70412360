"""actool, the appc spec's own image tool (built from Debian's spec sources, appctools.py),
agrees with pod about ACIs: every image `pod image build`, `pod image export` and
`pod export` write validates with `actool validate`, and an image actool builds passes
`pod image validate` and runs.
"""
import os
import shutil
import subprocess
import unittest

import appctools
from podfixture import BUSYBOX_ACI, IMAGES_DIR, INSPECT_ACI, STAGE1_ACI, PodsTestCase
from podtest import BUILD_DIR

BUSYBOX_TREE = os.path.join(IMAGES_DIR, "busybox-tree")
NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")


class ActoolTest(PodsTestCase):
    def setUp(self):
        super().setUp()
        self.actool = appctools.tool("actool")

    def test_images_of_the_build_tree_are_valid(self):
        # The test images and the stage1 images are all written by `pod image build`.
        images = [p for p in (BUSYBOX_ACI, INSPECT_ACI, STAGE1_ACI, NSPAWN_ACI) if os.path.exists(p)]
        appctools.actool_validate(self, *images)

    def test_pod_image_build_output_is_valid_in_every_spec_compression(self):
        # zstd is pod's own extension, which the spec (and so actool) does not know.
        for compression in ("gzip", "bzip2", "xz", "none"):
            out = os.path.join(self.root, "busybox-%s.aci" % compression)
            self.pod("image", "build", "--compression=" + compression, BUSYBOX_TREE, out, check=0)
            appctools.actool_validate(self, out)

    def test_pod_image_export_and_pod_export_are_valid(self):
        self.pod("fetch", "--insecure-options=image", BUSYBOX_ACI, check=0)
        out = os.path.join(self.root, "exported.aci")
        self.pod("image", "export", "pod.dev/busybox", out, check=0)
        appctools.actool_validate(self, out)
        uuid_file = os.path.join(self.root, "uuid")
        self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI, "--uuid-file-save=" + uuid_file,
                 BUSYBOX_ACI, "--exec=/bin/sh", "--", "-c", "echo changed > /changed", check=0)
        pod_out = os.path.join(self.root, "pod-export.aci")
        self.pod("export", self._read(uuid_file), pod_out, check=0)
        appctools.actool_validate(self, pod_out)

    def test_pod_validates_and_runs_an_image_actool_built(self):
        layout = os.path.join(self.root, "layout")
        shutil.copytree(BUSYBOX_TREE, layout, symlinks=True)
        aci = os.path.join(self.root, "by-actool.aci")
        res = subprocess.run([self.actool, "build", layout, aci], capture_output=True, text=True, timeout=300)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.pod("image", "validate", aci, check=0)
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI, aci,
                       "--exec=/bin/echo", "--", "built by actool", check=0)
        self.assertIn("built by actool", res.stdout)


if __name__ == "__main__":
    unittest.main()
