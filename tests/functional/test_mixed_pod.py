"""One stage1-nspawn pod running an ACI app and an OCI app side by side: each app keeps its
own image's files, exec and environment, both share the pod's namespaces, and pod status
reports both. The OCI image is an oci: layout the test writes from busybox-static."""
import os
import unittest

from ocifixtures import Layer, OciLayout
from podfixture import BUSYBOX_ACI, PodsTestCase
from podtest import BUILD_DIR

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")
NSPAWN = "/usr/bin/systemd-nspawn"


class MixedPodTest(PodsTestCase):
    def setUp(self):
        if not os.access(NSPAWN, os.X_OK):
            raise unittest.SkipTest("systemd-nspawn is not installed (Debian package systemd-container)")
        if not os.path.exists(NSPAWN_ACI):
            raise unittest.SkipTest("%s is not built (target stage1_nspawn_aci)" % NSPAWN_ACI)
        if not os.path.exists("/bin/busybox"):
            raise unittest.SkipTest("busybox-static is not installed")
        super().setUp()

    def test_an_aci_app_and_an_oci_app_in_one_pod(self):
        layout = OciLayout(os.path.join(self.root, "layout"))
        layer = Layer().busybox(applets=("sh", "cat", "echo", "sleep", "test", "hostname", "true"))
        layer.file("etc/flavour", "oci image\n")
        # The OCI app's own exec and environment come from its config; it writes its line,
        # then tells the ACI app through the shared volume, and each waits for the other's
        # line so that the test can check both were there at once.
        layout.add_image("v1", [layer], {
            "Entrypoint": ["/bin/sh", "-c"],
            "Cmd": ["echo \"oci: $(cat /etc/flavour) from=$FROM host=$(hostname)\"; "
                    ": > /shared/oci-wrote; while [ ! -e /shared/aci-wrote ]; do sleep 0.05; done"],
            "Env": ["FROM=config", "PATH=/bin"]})
        shared = os.path.join(self.root, "shared")
        os.mkdir(shared)
        uuid_file = os.path.join(self.root, "uuid")
        res = self.pod(
            "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
            "--uuid-file-save=" + uuid_file, "--volume=shared,kind=host,source=" + shared,
            BUSYBOX_ACI, "--name=aci", "--mount=volume=shared,target=/shared", "--exec=/bin/sh", "--", "-c",
            "while [ ! -e /shared/oci-wrote ]; do sleep 0.05; done; "
            "echo \"aci: $(test -e /etc/flavour && echo leaked || echo own) host=$(hostname)\"; "
            ": > /shared/aci-wrote",
            "---", "oci:%s:v1" % layout.path, "--name=oci", "--mount=volume=shared,target=/shared",
            check=0, timeout=120)
        lines = {line.split(": ", 1)[0]: line for line in res.stdout.splitlines() if ": " in line}
        self.assertIn("oci", lines, res.stdout)
        self.assertIn("aci", lines, res.stdout)
        self.assertIn("oci: oci image from=config", lines["oci"])
        self.assertIn("aci: own", lines["aci"])  # the ACI app does not see the OCI image's files
        # One pod: one UTS namespace, so one hostname.
        self.assertEqual(lines["oci"].rsplit("host=", 1)[1], lines["aci"].rsplit("host=", 1)[1])

        uuid = self._read(uuid_file)
        status = self.status_json(uuid)
        apps = {a["name"]: a for a in status["apps"]}
        self.assertEqual(sorted(apps), ["aci", "oci"])
        self.assertEqual(apps["aci"]["exit_code"], 0)
        self.assertEqual(apps["oci"]["exit_code"], 0)
        manifest = self.pod_json("cat-manifest", uuid)
        names = {a["name"]: a["image"]["name"] for a in manifest["apps"]}
        self.assertEqual(names["aci"], "pod.dev/busybox")
        self.assertNotEqual(names["oci"], "pod.dev/busybox")


if __name__ == "__main__":
    unittest.main()
