"""Event handlers as spec/ace.md defines them, on stage1-nspawn and stage1-fly: `pre-start`
runs before the app, in the app's root and with its environment (PATH, AC_APP_NAME, the
image's variables, the working directory), and its failure fails the app, which never
starts; `post-stop` runs after the app has exited, in the same root.

The handlers and the app append to a host volume, so the order is read back from a file.
"""
import json
import os
import shutil
import unittest

from podfixture import IMAGES_DIR, STAGE1_ACI, PodsTestCase
from podtest import BUILD_DIR

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")
BUSYBOX_TREE = os.path.join(IMAGES_DIR, "busybox-tree")
SPEC_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class HandlersTest(PodsTestCase):
    def build_image(self, pre_start):
        tree = os.path.join(self.root, "tree")
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(BUSYBOX_TREE, tree, symlinks=True)
        os.makedirs(os.path.join(tree, "rootfs", "work"), exist_ok=True)
        with open(os.path.join(tree, "manifest")) as f:
            m = json.load(f)
        m["name"] = "pod.dev/handlers"
        log = 'echo "$1 app=$AC_APP_NAME path=$PATH cwd=$(pwd) env=$HANDLER_ENV" >> /shared/log'
        m["app"]["exec"] = ["/bin/sh", "-c", log + "; test -e /pre-start-was-here && touch /main-was-here",
                            "sh", "main"]
        m["app"]["eventHandlers"] = [
            {"name": "pre-start", "exec": ["/bin/sh", "-c", pre_start + log + "; touch /pre-start-was-here",
                                           "sh", "pre-start"]},
            {"name": "post-stop", "exec": ["/bin/sh", "-c", "test -e /main-was-here && " + log, "sh", "post-stop"]}]
        m["app"]["workingDirectory"] = "/work"
        m["app"]["environment"] = [{"name": "HANDLER_ENV", "value": "from-image"}]
        m["app"]["mountPoints"] = [{"name": "shared", "path": "/shared"}]
        with open(os.path.join(tree, "manifest"), "w") as f:
            json.dump(m, f)
        aci = os.path.join(self.root, "handlers.aci")
        self.pod("image", "build", "--overwrite", tree, aci, check=0)
        return aci

    def run_flavor(self, stage1, pre_start="", check=0):
        if not os.path.exists(stage1):
            self.skipTest("%s is not built" % stage1)
        if stage1 == NSPAWN_ACI and not shutil.which("systemd-nspawn"):
            self.skipTest("apt-get install systemd-container")
        shared = os.path.join(self.root, "shared")
        shutil.rmtree(shared, ignore_errors=True)
        os.mkdir(shared)
        aci = self.build_image(pre_start)
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + stage1,
                       "--volume=shared,kind=host,source=" + shared, aci, check=check)
        path = os.path.join(shared, "log")
        if not os.path.exists(path):
            return res, []
        with open(path) as f:
            return res, f.read().splitlines()

    def check_order_and_environment(self, stage1):
        _, lines = self.run_flavor(stage1)
        self.assertEqual([l.split()[0] for l in lines], ["pre-start", "main", "post-stop"], lines)
        for line in lines:
            self.assertIn("app=handlers path=%s cwd=/work env=from-image" % SPEC_PATH, line)

    def check_failing_pre_start(self, stage1):
        res, lines = self.run_flavor(stage1, pre_start="exit 7; ", check=7)
        self.assertEqual(lines, [])  # neither the app nor post-stop ran
        self.assertIn("pre-start handler", res.stderr)

    def test_nspawn_order_root_and_environment(self):
        self.check_order_and_environment(NSPAWN_ACI)

    def test_nspawn_failing_pre_start_fails_the_app(self):
        self.check_failing_pre_start(NSPAWN_ACI)

    def test_fly_order_root_and_environment(self):
        self.check_order_and_environment(STAGE1_ACI)

    def test_fly_failing_pre_start_fails_the_app(self):
        self.check_failing_pre_start(STAGE1_ACI)


if __name__ == "__main__":
    unittest.main()
