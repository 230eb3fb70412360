"""An HTTP server app for network tests, and a patient HTTP client for reaching it.

busybox's httpd serves /www on port 8080 of the pod; the tests reach it at the pod's
address or through a published port, retrying until it answers (the app starts after
the command that runs it returns).
"""
import json
import os
import shutil
import time
import urllib.request

from podfixture import IMAGES_DIR

BUSYBOX_TREE = os.path.join(IMAGES_DIR, "busybox-tree")


def build_httpd_aci(test, name, greeting, ports=None):
    """Builds (under test.root) an ACI named `name` whose app is busybox httpd serving
    /www/hello = `greeting` on 8080; `ports` goes to the manifest's app.ports."""
    tree = os.path.join(test.root, "httpd-tree")
    shutil.copytree(BUSYBOX_TREE, tree, symlinks=True)
    os.makedirs(os.path.join(tree, "rootfs", "www"))
    with open(os.path.join(tree, "rootfs", "www", "hello"), "w") as f:
        f.write(greeting)
    with open(os.path.join(tree, "manifest")) as f:
        manifest = json.load(f)
    manifest["name"] = name
    manifest["app"]["exec"] = ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"]
    if ports is not None:
        manifest["app"]["ports"] = ports
    with open(os.path.join(tree, "manifest"), "w") as f:
        json.dump(manifest, f)
    aci = os.path.join(test.root, "httpd.aci")
    test.pod("image", "build", tree, aci, check=0)
    return aci


def http_get(url, timeout=30):
    """The body at `url`, retried until it answers or `timeout` seconds pass."""
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode()
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
