"""Mutable pods: `pod app sandbox|add|start|stop|rm|list|status` (Documentation/app.md).

Real stage1-nspawn sandboxes, with apps from the busybox test image added, started,
stopped and removed while the sandbox runs. Every test cleans up (the sandbox killed,
`pod gc`) even when it fails; the last test checks that gc leaves no mount, network
namespace or cgroup of the sandbox behind.
"""
import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import unittest

from podfixture import BUSYBOX_ACI, PodsTestCase
from podtest import BUILD_DIR, POD_BIN
from httpfixtures import build_httpd_aci, http_get

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")
FLY_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-fly.aci")


def pod_cgroups(uuid):
    found = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        found += [os.path.join(root, d) for d in dirs if d == "pod-" + uuid]
    return found


class AppTestCase(PodsTestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")
        if not shutil.which("systemd-nspawn"):
            self.skipTest("systemd-nspawn is not installed (apt-get install systemd-container)")
        if not os.path.exists(NSPAWN_ACI):
            self.skipTest("%s is not built (target stage1_nspawn_aci)" % NSPAWN_ACI)
        super().setUp()
        # The images are fetched once, so that app add resolves them by name.
        self.pod("fetch", "--insecure-options=image", BUSYBOX_ACI, check=0)

    def sandbox(self, *flags):
        """Starts `pod app sandbox`; returns (process, uuid) once it printed the UUID."""
        out = open(os.path.join(self.root, "sandbox-%d.out" % len(self.children)), "w+")
        self.addCleanup(out.close)
        argv = [POD_BIN] + self.global_flags() + ["app", "sandbox", "--insecure-options=image",
                                                  "--stage1-path=" + NSPAWN_ACI] + list(flags)
        # A file, not a pipe: the sandbox outlives this command in the kill -9 test.
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, text=True)
        self.children.append(proc)

        def printed_uuid():
            out.seek(0)
            for line in out.read().splitlines():
                if len(line) == 36 and line.count("-") == 4:
                    return line
            if proc.poll() is not None:
                out.seek(0)
                self.fail("pod app sandbox exited %d:\n%s" % (proc.returncode, out.read()))
            return None

        return proc, self.wait_for(printed_uuid, "the sandbox's UUID", timeout=60)

    def add(self, uuid, name, *args, check=0, image="pod.dev/busybox"):
        return self.pod("app", "add", uuid, image, "--name=" + name, *args, check=check)

    def app(self, op, uuid, name, check=0):
        return self.pod("app", op, uuid, "--app=" + name, check=check)

    def app_status(self, uuid, name):
        return json.loads(self.pod("app", "status", "--format=json", uuid, "--app=" + name, check=0).stdout)

    def app_states(self, uuid):
        return {a["name"]: a["state"] for a in json.loads(self.pod("app", "list", "--format=json", uuid,
                                                                   check=0).stdout)}

    def manifest_apps(self, uuid):
        with open(os.path.join(self.data_dir, "pods", "run", uuid, "pod")) as f:
            return [a["name"] for a in json.load(f)["apps"]]

    def wait_state(self, uuid, name, state, timeout=30):
        return self.wait_for(lambda: (lambda s: s if s["state"] == state else None)(self.app_status(uuid, name)),
                             "app %s to be %s" % (name, state), timeout=timeout)


class SandboxTest(AppTestCase):
    def fetch_httpd_image(self):
        aci = build_httpd_aci(self, "pod.dev/apptest-httpd", "hello from the sandbox\n")
        self.pod("fetch", "--insecure-options=image", aci, check=0)
        return "pod.dev/apptest-httpd"

    def test_sandbox_on_the_network_with_apps_coming_and_going(self):
        if not os.path.exists("/usr/lib/cni/ptp"):
            self.skipTest("apt-get install containernetworking-plugins")
        httpd = self.fetch_httpd_image()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            host_port = s.getsockname()[1]
        proc, uuid = self.sandbox("--net=default", "--port=web:tcp:8080:127.0.0.1:%d" % host_port)
        [net] = self.wait_for(lambda: self.status_json(uuid).get("networks"), "the sandbox's network")
        self.assertEqual(self.app_states(uuid), {})
        # No app runs, yet the pod is at its address (the kernel of its namespace answers).
        # (a TCP connection refused, not timed out: the address is there, no app listens).
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection((net["ip"], 9), timeout=10)

        self.add(uuid, "web", image=httpd)
        self.add(uuid, "sleeper", "--exec=/bin/sleep", "--", "300")
        self.assertEqual(self.app_states(uuid), {"web": "created", "sleeper": "created"})
        self.app("start", uuid, "web")
        self.app("start", uuid, "sleeper")
        self.assertEqual(http_get("http://%s:8080/hello" % net["ip"]), "hello from the sandbox\n")
        self.assertEqual(self.app_states(uuid), {"web": "running", "sleeper": "running"})
        # The sandbox's --port, published before any app existed.
        self.assertEqual(http_get("http://127.0.0.1:%d/hello" % host_port), "hello from the sandbox\n")

        self.app("stop", uuid, "sleeper")
        self.assertEqual(self.app_status(uuid, "sleeper")["state"], "exited")
        self.app("rm", uuid, "sleeper")
        self.assertEqual(self.app_states(uuid), {"web": "running"})
        self.assertEqual(self.manifest_apps(uuid), ["web"])
        self.assertEqual(http_get("http://%s:8080/hello" % net["ip"]), "hello from the sandbox\n")
        self.assertEqual(self.state(uuid), "running")

        self.pod("stop", uuid, check=0)
        self.assertEqual(proc.wait(timeout=60), 0)

    def test_app_status_through_every_state_and_an_exit_that_leaves_the_sandbox(self):
        proc, uuid = self.sandbox()
        self.add(uuid, "once", "--exec=/bin/sh", "--", "-c", "echo done; exit 3")
        s = self.app_status(uuid, "once")
        self.assertEqual(s["state"], "created")
        self.assertIn("created_at", s)
        self.assertNotIn("started_at", s)
        self.assertEqual(s["image_name"], "pod.dev/busybox")
        self.assertTrue(s["image_id"].startswith("sha512-"), s)
        self.app("start", uuid, "once")
        s = self.wait_state(uuid, "once", "exited")
        self.assertEqual(s["exit_code"], 3)
        self.assertLessEqual(s["created_at"], s["started_at"])
        self.assertLessEqual(s["started_at"], s["finished_at"])
        self.assertIn("done", self.pod("logs", "--app=once", uuid, check=0).stdout)
        # The sandbox outlives its apps.
        self.assertEqual(self.state(uuid), "running")
        self.assertIsNone(proc.poll())

        self.add(uuid, "sleeper", "--exec=/bin/sleep", "--", "300")
        self.app("start", uuid, "sleeper")
        s = self.app_status(uuid, "sleeper")
        self.assertEqual(s["state"], "running")
        self.assertGreater(s["pid"], 1)
        self.assertEqual(self.pod("enter", "--app=sleeper", uuid, "/bin/echo", "inside", check=0).stdout, "inside\n")
        lines = self.pod("app", "status", uuid, "--app=sleeper", check=0).stdout
        self.assertIn("name=sleeper\nstate=running\n", lines)
        self.assertIn("started_at=", lines)
        self.app("stop", uuid, "sleeper")
        s = self.app_status(uuid, "sleeper")
        self.assertEqual((s["state"], s["exit_code"]), ("exited", 128 + signal.SIGTERM))
        # A stopped app starts again.
        self.app("start", uuid, "sleeper")
        self.assertEqual(self.app_status(uuid, "sleeper")["state"], "running")
        table = self.pod("app", "list", uuid, check=0).stdout.splitlines()
        self.assertEqual(table[0].split(), ["NAME", "STATE"])
        self.assertEqual(sorted(l.split() for l in table[1:]), [["once", "exited"], ["sleeper", "running"]])

    def test_errors_change_nothing(self):
        _, uuid = self.sandbox()
        self.add(uuid, "one", "--exec=/bin/sleep", "--", "300")
        before = self.manifest_apps(uuid)
        for args, words in [
            (("app", "start", uuid, "--app=nope"), "has no app named nope"),
            (("app", "stop", uuid, "--app=nope"), "has no app named nope"),
            (("app", "rm", uuid, "--app=nope"), "has no app named nope"),
            (("app", "status", uuid, "--app=nope"), "has no app named nope"),
            (("app", "add", uuid, "pod.dev/busybox", "--name=one"), "already has an app named one"),
            (("app", "add", "--pull-policy=never", uuid, "pod.dev/no-such-image", "--name=two"), "no-such-image"),
        ]:
            res = self.pod(*args, check=254)
            self.assertIn(words, res.stderr)
        self.assertEqual(self.manifest_apps(uuid), before)
        self.assertEqual(sorted(os.listdir(os.path.join(self.data_dir, "pods", "run", uuid, "appsinfo"))), ["one"])
        self.app("start", uuid, "one")
        res = self.app("start", uuid, "one", check=254)
        self.assertIn("already running", res.stderr)
        self.pod("stop", uuid, check=0)
        self.wait_for(lambda: self.state(uuid) == "exited", "the sandbox to exit")
        res = self.add(uuid, "late", check=254)
        self.assertIn("not running", res.stderr)

    def test_a_pod_that_is_not_a_sandbox_and_the_fly_flavor_refuse(self):
        proc = self.spawn_pod("--stage1-path=" + NSPAWN_ACI, "--uuid-file-save=" + os.path.join(self.root, "u"),
                              "--exec=/bin/sleep", "--", "300")
        uuid = self.wait_for(lambda: self._read(os.path.join(self.root, "u")), "the pod's UUID")
        self.wait_for(lambda: self.state(uuid) == "running", "the pod to run")
        res = self.add(uuid, "extra", check=254)
        self.assertIn("is not a sandbox", res.stderr)
        proc.kill()
        if os.path.exists(FLY_ACI):
            res = self.pod("app", "sandbox", "--insecure-options=image", "--stage1-path=" + FLY_ACI, check=254)
            self.assertIn("no app entrypoints", res.stderr)

    def test_an_oci_image_app(self):
        if not os.path.exists("/bin/busybox"):
            self.skipTest("busybox-static is not installed")
        from ocifixtures import Layer, OciLayout, busybox_layer
        layout = OciLayout(os.path.join(self.root, "layout"))
        top = Layer()
        top.file("/msg", b"from an oci layer\n")
        layout.add_image("v1", [busybox_layer(), top], {"Cmd": ["/bin/sh", "-c", "cat /msg; sleep 300"]})
        image_id = self.pod("fetch", "--insecure-options=image", "oci:%s:v1" % layout.path,
                            check=0).stdout.strip().splitlines()[-1]
        _, uuid = self.sandbox()
        self.add(uuid, "oci", image=image_id)
        self.app("start", uuid, "oci")
        self.wait_for(lambda: "from an oci layer" in self.pod("logs", "--app=oci", uuid).stdout, "the OCI app's line")
        self.assertEqual(self.app_status(uuid, "oci")["state"], "running")

    def test_mnt_volume_brings_a_host_directory_into_the_running_pod(self):
        src = os.path.join(self.root, "shared")
        os.makedirs(src)
        with open(os.path.join(src, "f"), "w") as f:
            f.write("from the host\n")
        _, uuid = self.sandbox()
        self.add(uuid, "reader", "--mnt-volume=name=data,kind=host,source=%s,target=/data,readOnly=true" % src,
                 "--exec=/bin/sh", "--", "-c", "cat /data/f; touch /data/g 2>/dev/null || echo read-only")
        self.app("start", uuid, "reader")
        s = self.wait_state(uuid, "reader", "exited")
        self.assertEqual(s["exit_code"], 0)
        self.assertEqual(self.pod("logs", "--app=reader", uuid, check=0).stdout, "from the host\nread-only\n")
        self.assertFalse(os.path.exists(os.path.join(src, "g")))

    def test_twenty_concurrent_adds_all_land(self):
        _, uuid = self.sandbox()
        names = ["app%02d" % i for i in range(20)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(lambda n: self.add(uuid, n, "--exec=/bin/true", check=None), names))
        for n, r in zip(names, results):
            self.assertEqual(r.returncode, 0, "%s: %s" % (n, r.stderr))
        self.assertEqual(sorted(self.manifest_apps(uuid)), names)
        self.assertEqual(self.app_states(uuid), {n: "created" for n in names})

    def test_kill_9_of_the_command_then_stop_and_gc_leave_nothing(self):
        proc, uuid = self.sandbox()
        self.add(uuid, "a", "--exec=/bin/sleep", "--", "300")
        self.app("start", uuid, "a")
        proc.kill()
        proc.wait(timeout=10)
        # Still running and manageable without the command that started it.
        self.assertEqual(self.state(uuid), "running")
        self.add(uuid, "b", "--exec=/bin/sleep", "--", "300")
        self.app("start", uuid, "b")
        self.assertEqual(self.app_states(uuid), {"a": "running", "b": "running"})
        self.pod("stop", uuid, check=0)
        self.wait_for(lambda: self.state(uuid) == "exited", "the sandbox to exit")
        self.assertEqual(self.app_states(uuid), {"a": "exited", "b": "exited"})
        self.pod("gc", "--grace-period=0s", check=0)
        with open("/proc/self/mountinfo") as f:
            self.assertNotIn(uuid, f.read())
        self.assertFalse(os.path.exists("/run/pod/netns/" + uuid))
        self.assertEqual(pod_cgroups(uuid), [])
        self.assertEqual(self.pod_dirs("exited-garbage") + self.pod_dirs("run"), [])


if __name__ == "__main__":
    unittest.main()
