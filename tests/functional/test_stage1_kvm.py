"""stage1-kvm: pods in a qemu microvm with their own kernel, apps run by the same pod init.

Real pods of the busybox test image under the real `pod` binary, with TCG emulation (CI
has no usable KVM; the run's probe finds that out within a second): each test boots a
guest, so the tests are few and each checks several things. Every test cleans up (killed
pods, `pod gc`) even when it fails; the clean-up tests check that no qemu, cgroup or
network namespace is left.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import time
import unittest
import uuid as uuidlib

from podfixture import BUSYBOX_ACI, PodsTestCase
from podtest import BUILD_DIR
from httpfixtures import build_httpd_aci, http_get

KVM_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-kvm.aci")
QEMU = "/usr/bin/qemu-system-x86_64"
LEASES = "/var/lib/cni/networks"
BOOT = 300  # seconds a TCG guest may take on a loaded CI machine


def pod_cgroups(uuid):
    found = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        for d in dirs:
            if d == "pod-" + uuid:
                found.append(os.path.join(root, d))
    return found


def qemus_of(pod_dir_part):
    """qemu processes whose command line names the pod."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().decode(errors="replace")
        except OSError:
            continue
        if cmd.startswith(QEMU) and pod_dir_part in cmd:
            found.append(int(pid))
    return found


class KvmTestCase(PodsTestCase):
    def setUp(self):
        if not os.access(QEMU, os.X_OK):
            raise unittest.SkipTest("qemu is not installed (Debian package qemu-system-x86)")
        if not os.path.exists(KVM_ACI):
            raise unittest.SkipTest("%s is not built (target stage1_kvm_aci; it needs Debian's "
                                    "linux-image-amd64 and cpio at build time)" % KVM_ACI)
        super().setUp()

    def kvm(self, *args, check=None, timeout=BOOT, env=None, debug=False):
        flags = ["--debug"] if debug else []
        return self.pod(*flags, "run", "--insecure-options=image", "--stage1-path=" + KVM_ACI, *args,
                        check=check, timeout=timeout, env=env)

    def spawn(self, *args, image=BUSYBOX_ACI):
        uuid_file = os.path.join(self.root, "uuid-%d" % len(self.children))
        proc = self.spawn_pod("--stage1-path=" + KVM_ACI, "--uuid-file-save=" + uuid_file, *args, image=image)
        uuid = self.wait_for(lambda: self._read(uuid_file), "the pod's UUID file", timeout=60)
        self.wait_for(lambda: self.state(uuid) == "running" and self.status_json(uuid).get("pid"),
                      "pod %s to run" % uuid, timeout=BOOT)
        return proc, uuid


class RunTest(KvmTestCase):
    def test_exit_status_env_user_and_the_guests_own_kernel(self):
        uuid_file = os.path.join(self.root, "uuid")
        script = ("echo release=$(cat /proc/sys/kernel/osrelease); echo boot=$(cat /proc/sys/kernel/random/boot_id);"
                  " echo user=$(id -u):$(id -g); echo greeting=$GREETING; echo to-stderr >&2; exit 7")
        res = self.kvm("--uuid-file-save=" + uuid_file, BUSYBOX_ACI, "--set-env=GREETING=hello vm",
                       "--user=1000", "--group=1000", "--exec=/bin/sh", "--", "-c", script, check=7, debug=True)
        kv = dict(line.split("=", 1) for line in res.stdout.splitlines() if "=" in line)
        self.assertEqual(kv.get("greeting"), "hello vm", res.stdout)
        self.assertEqual(kv.get("user"), "1000:1000", res.stdout)
        # The guest's kernel, not the host's.
        self.assertNotEqual(kv["release"], os.uname().release)
        with open("/proc/sys/kernel/random/boot_id") as f:
            self.assertNotEqual(kv["boot"], f.read().strip())
        self.assertIn("to-stderr", res.stderr)
        self.assertNotIn("to-stderr", res.stdout)
        # --debug shows qemu's command line; TCG is announced in one line.
        self.assertIn("qemu-system-x86_64 -M microvm", res.stderr)
        if "-accel tcg" in res.stderr:
            self.assertIn("TCG emulation", res.stderr)
        uuid = self._read(uuid_file)
        self.assertEqual(self.status_json(uuid)["apps"][0]["exit_code"], 7)

    def test_the_memory_isolator_sizes_the_vm_and_the_app_gets_its_cgroup(self):
        res = self.kvm(BUSYBOX_ACI, "--memory=300M", "--exec=/bin/sh", "--", "-c",
                       "cat /proc/self/cgroup; head -1 /proc/meminfo", check=0)
        self.assertIn("0::/busybox", res.stdout)  # pod init's cgroup for the app, in the guest
        total_kib = int(res.stdout.split("MemTotal:")[1].split()[0])
        self.assertGreater(total_kib, 200 * 1024)  # the VM is 300 MiB, less the guest kernel's own
        self.assertLessEqual(total_kib, 300 * 1024)

    def test_memory_below_the_floor_is_refused(self):
        res = self.kvm(BUSYBOX_ACI, "--memory=64M", "--exec=/bin/true", check=254, timeout=60)
        self.assertIn("floor of 128 MiB", res.stderr)

    def test_a_guest_that_does_not_boot_in_time_is_killed_with_its_console(self):
        uuid_file = os.path.join(self.root, "uuid")
        # TCG: a KVM guest that misses its own time-out would mark KVM unusable for the host.
        env = dict(os.environ, POD_KVM_BOOT_TIMEOUT_MS="300", POD_KVM_FORCE_TCG="1")
        res = self.kvm("--uuid-file-save=" + uuid_file, BUSYBOX_ACI, "--exec=/bin/true", check=254, env=env,
                       timeout=60)
        self.assertIn("did not get the apps running within", res.stderr)
        self.assertIn("console", res.stderr)
        uuid = self._read(uuid_file)
        self.assertEqual(qemus_of(uuid), [])
        self.assertEqual(pod_cgroups(uuid), [])


class AppsTest(KvmTestCase):
    def test_several_apps_a_volume_and_logs(self):
        uuid_file = os.path.join(self.root, "uuid")
        shared = os.path.join(self.root, "shared")
        os.mkdir(shared)
        # a reads what b wrote into the shared volume, so it waits for it; the pod ends with
        # the last of them (an app that exits with 0 does not stop the others).
        self.kvm("--uuid-file-save=" + uuid_file, "--volume=shared,kind=host,source=" + shared,
                 BUSYBOX_ACI, "--name=a", "--mount=volume=shared,target=/shared", "--exec=/bin/sh", "--", "-c",
                 "while [ ! -e /shared/b-wrote ]; do sleep 0.05; done; echo one; echo from-a > /shared/a",
                 "---", BUSYBOX_ACI, "--name=b", "--mount=volume=shared,target=/shared", "--exec=/bin/sh", "--",
                 "-c", "echo bee; touch /shared/b-wrote", check=0)
        uuid = self._read(uuid_file)
        with open(os.path.join(shared, "a")) as f:
            self.assertEqual(f.read(), "from-a\n")
        out = self.pod("logs", uuid, check=0).stdout.splitlines()
        self.assertEqual(sorted(out), ["a: one", "b: bee"])
        apps = {a["name"]: a for a in self.status_json(uuid)["apps"]}
        self.assertEqual(apps["a"]["exit_code"], 0)
        self.assertEqual(apps["b"]["exit_code"], 0)


class LifecycleTest(KvmTestCase):
    def test_status_enter_and_stop(self):
        proc, uuid = self.spawn("--exec=/bin/sleep", "--", "300")
        pid = self.status_json(uuid)["pid"]
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            self.assertTrue(f.read().startswith(QEMU.encode()), "pod status shows the VM's pid")
        res = self.pod("enter", uuid, "/bin/sh", "-c", "echo in-$(cat /proc/sys/kernel/osrelease); exit 3",
                       check=3, timeout=120)
        self.assertEqual(res.stdout.strip(), "in-" + self.guest_release(uuid))
        self.pod("stop", uuid, check=0, timeout=60)
        out, err = proc.communicate(timeout=120)
        # The app died of SIGTERM, and `pod run` dies the same way, as with nspawn.
        self.assertEqual(proc.returncode, -signal.SIGTERM, err)
        self.pod("gc", "--grace-period=0s", check=0, timeout=120)
        self.assertEqual(qemus_of(uuid), [])
        self.assertEqual(pod_cgroups(uuid), [])

    def guest_release(self, uuid):
        kernel_dirs = os.listdir("/lib/modules") if os.path.isdir("/lib/modules") else []
        res = self.pod("enter", uuid, "/bin/cat", "/proc/sys/kernel/osrelease", check=0, timeout=120)
        release = res.stdout.strip()
        self.assertIn(release, kernel_dirs)  # the packaged kernel's, from the build
        self.assertNotEqual(release, os.uname().release)
        return release

    def test_kill_9_of_run_then_gc_leaves_nothing(self):
        proc, uuid = self.spawn("--exec=/bin/sleep", "--", "300")
        self.assertTrue(qemus_of(uuid))
        proc.kill()
        proc.communicate(timeout=60)
        self.pod("gc", "--grace-period=0s", check=0, timeout=120)
        self.wait_for(lambda: qemus_of(uuid) == [], "qemu to be gone", timeout=30)
        self.assertEqual(pod_cgroups(uuid), [])


class NetworkTest(KvmTestCase):
    def setUp(self):
        if not os.path.exists("/usr/lib/cni/ptp"):
            self.skipTest("apt-get install containernetworking-plugins")
        super().setUp()
        self.net = "kvmtest-" + uuidlib.uuid4().hex[:8]
        self.prefix = "10.%d.%d" % (random.randint(200, 250), random.randint(0, 254))
        os.makedirs(os.path.join(self.local_config, "net.d"))
        with open(os.path.join(self.local_config, "net.d", "10-test.conf"), "w") as f:
            json.dump({"cniVersion": "1.0.0", "name": self.net, "type": "ptp", "ipMasq": True,
                       "ipam": {"type": "host-local", "subnet": self.prefix + ".0/24"}}, f)
        self.addCleanup(shutil.rmtree, os.path.join(LEASES, self.net), True)

    def test_the_pods_address_is_reached_from_the_host(self):
        httpd = build_httpd_aci(self, "pod.dev/kvmtest-httpd", "hello from the vm\n")
        proc, uuid = self.spawn("--net=" + self.net, image=httpd)
        [net] = self.status_json(uuid)["networks"]
        self.assertTrue(net["ip"].startswith(self.prefix + "."), net)
        self.assertEqual(http_get("http://%s:8080/hello" % net["ip"], timeout=60), "hello from the vm\n")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
        self.pod("gc", "--grace-period=0s", check=0, timeout=120)
        self.assertEqual(qemus_of(uuid), [])


if __name__ == "__main__":
    unittest.main()
