"""stage1-nspawn, the default flavor: systemd-nspawn with pod init as PID 1.

Real pods of the inspect and busybox test images, run by the real `pod` binary. Every test
cleans up (killed pods, `pod gc`, mounts) even when it fails; the cgroups a test's pods
had are checked gone where the test is about clean-up.
"""
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

from podfixture import BUSYBOX_ACI, INSPECT_ACI, PodsTestCase, mounts_containing
from podtest import BUILD_DIR

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")
NSPAWN = "/usr/bin/systemd-nspawn"


def pod_cgroups(uuid):
    """Every host cgroup directory named after the pod, in any hierarchy."""
    found = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        for d in dirs:
            if d == "pod-" + uuid:
                found.append(os.path.join(root, d))
    return found


class NspawnTestCase(PodsTestCase):
    def setUp(self):
        if not os.access(NSPAWN, os.X_OK):
            raise unittest.SkipTest("systemd-nspawn is not installed (Debian package systemd-container)")
        if not os.path.exists(NSPAWN_ACI):
            raise unittest.SkipTest("%s is not built (target stage1_nspawn_aci)" % NSPAWN_ACI)
        super().setUp()

    @staticmethod
    def pod_bin():
        from podtest import POD_BIN
        return POD_BIN

    def nspawn_run(self, *args, check=None, image=INSPECT_ACI, timeout=120):
        return self.pod("run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI, image, *args,
                        check=check, timeout=timeout)

    def spawn(self, *args, image=BUSYBOX_ACI):
        uuid_file = os.path.join(self.root, "uuid-%d" % len(self.children))
        proc = self.spawn_pod("--stage1-path=" + NSPAWN_ACI, "--uuid-file-save=" + uuid_file, *args, image=image)
        uuid = self.wait_for(lambda: self._read(uuid_file), "the pod's UUID file")
        self.wait_for(lambda: self.state(uuid) == "running" and self.status_json(uuid).get("pid"),
                      "pod %s to run" % uuid)
        return proc, uuid

    def upper(self, uuid, path):
        for state in ("run", "exited-garbage", "garbage"):
            p = os.path.join(self.data_dir, "pods", state, uuid, "overlay", "stage1", "upper", path)
            if os.path.exists(p):
                return p
        return None


class RunTest(NspawnTestCase):
    def test_pod_init_is_pid_1_and_the_app_is_not(self):
        kv, res = self.inspect("--print-pid", "--read-file=/proc/1/cmdline", "--print-hostname",
                               flags=("--stage1-path=" + NSPAWN_ACI,))
        self.assertNotEqual(kv["pid"], "1")
        self.assertTrue(kv["content"].startswith("/nspawn/init"), kv)
        self.assertTrue(kv["hostname"].startswith("pod-"), kv)

    def test_hostname_flag(self):
        kv, _ = self.inspect("--print-hostname", flags=("--stage1-path=" + NSPAWN_ACI, "--hostname=podhost"))
        self.assertEqual(kv["hostname"], "podhost")

    def test_the_default_flavor_is_nspawn(self):
        uuid = self.prepare()
        with open(os.path.join(self.data_dir, "pods", "prepared", uuid, "stage1", "manifest")) as f:
            self.assertEqual(json.load(f)["name"], "pod.dev/stage1-nspawn")

    def test_debug_prints_the_nspawn_command_line(self):
        res = self.nspawn_run("--exec=/inspect", check=0)
        res = self.pod("--debug", "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI, INSPECT_ACI,
                       check=0)
        self.assertIn("systemd-nspawn --quiet", res.stderr)
        self.assertIn("--register=no --keep-unit", res.stderr)

    def test_exit_status_and_status_file(self):
        uuid_file = os.path.join(self.root, "uuid")
        self.nspawn_run("--uuid-file-save=" + uuid_file, "--", "--exit-code=7", check=7)
        uuid = self._read(uuid_file)
        self.assertEqual(self.status_json(uuid)["apps"][0]["exit_code"], 7)

    def test_a_missing_program_is_the_pods_failure(self):
        res = self.nspawn_run("--exec=/no/such/program", check=254)
        self.assertIn("/no/such/program", res.stderr)

    def test_default_capabilities_and_seccomp(self):
        kv, _ = self.inspect("--print-caps", "--try-umount=/tmp", flags=("--stage1-path=" + NSPAWN_ACI,))
        self.assertNotIn("CAP_SYS_ADMIN", kv["cap_bounding"])
        self.assertIn("CAP_NET_BIND_SERVICE", kv["cap_bounding"])
        self.assertTrue(kv["umount"].startswith("EPERM"), kv)
        kv, _ = self.inspect("--print-caps", flags=("--stage1-path=" + NSPAWN_ACI,
                                                    "--insecure-options=image,capabilities"))
        self.assertIn("CAP_SYS_ADMIN", kv["cap_bounding"])

    def test_masked_and_read_only_kernel_paths(self):
        kv, _ = self.inspect("--write-file=/proc/sys/kernel/hostname", "--content=x", "--read-file=/proc/kcore",
                             flags=("--stage1-path=" + NSPAWN_ACI,), check=1)
        self.assertIn("write-error", kv)
        self.assertIn("read-error", kv)


class MultiAppTest(NspawnTestCase):
    def two(self, a_args, b_args, check=None):
        return self.pod("run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
                        INSPECT_ACI, "--name=a", "--", *a_args, "---", INSPECT_ACI, "--name=b", "--", *b_args,
                        check=check)

    def test_all_succeed(self):
        res = self.two(["--print-pid", "--exit-code=0"], ["--print-pid", "--sleep=0.3", "--exit-code=0"], check=0)
        # Several apps: each line carries the app's name.
        self.assertRegex(res.stdout, r"(?m)^a: pid: \d+$")

    def test_the_first_failing_app_decides(self):
        self.two(["--sleep=2"], ["--exit-code=3"], check=3)

    def test_an_app_stopped_because_another_failed_is_not_a_failure(self):
        uuid_file = os.path.join(self.root, "uuid")
        start = time.time()
        self.pod("run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI, "--uuid-file-save=" + uuid_file,
                 INSPECT_ACI, "--name=a", "--", "--exit-code=3", "---", BUSYBOX_ACI, "--name=b",
                 "--exec=/bin/sleep", "--", "60", check=3)
        self.assertLess(time.time() - start, 40)
        apps = {a["name"]: a for a in self.status_json(self._read(uuid_file))["apps"]}
        self.assertEqual(apps["a"]["exit_code"], 3)
        self.assertEqual(apps["b"]["exit_code"], 143)

    def test_an_app_that_succeeds_lets_the_others_run_on(self):
        # rkt: only a failing app stops the pod; the pod ends with its last app.
        uuid_file = os.path.join(self.root, "uuid")
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
                       "--uuid-file-save=" + uuid_file,
                       INSPECT_ACI, "--name=a", "--", "--exit-code=0", "---", BUSYBOX_ACI, "--name=b",
                       "--exec=/bin/sh", "--", "-c", "sleep 1; echo b-finished", check=0)
        self.assertIn("b-finished", res.stdout)
        apps = {a["name"]: a for a in self.status_json(self._read(uuid_file))["apps"]}
        self.assertEqual(apps["a"]["exit_code"], 0)
        self.assertEqual(apps["b"]["exit_code"], 0)

    def test_apps_share_uts_and_net_namespaces(self):
        res = self.two(["--print-hostname"], ["--print-hostname", "--sleep=0.3"], check=0)
        names = {line.split(": ")[2] for line in res.stdout.splitlines() if "hostname" in line}
        self.assertEqual(len(names), 1, res.stdout)


class LifecycleTest(NspawnTestCase):
    def test_sigterm_to_run_stops_every_app(self):
        proc, uuid = self.spawn("--exec=/bin/sleep", "--", "300")
        start = time.time()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        self.assertLess(time.time() - start, 10)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.wait_for(lambda: self.state(uuid) == "exited", "the pod to exit")
        self.assertEqual(pod_cgroups(uuid), [])

    def test_stop_and_force(self):
        proc, uuid = self.spawn("--exec=/bin/sleep", "--", "300")
        self.pod("stop", uuid, check=0)
        proc.communicate(timeout=30)
        self.wait_for(lambda: self.state(uuid) == "exited", "the pod to exit")
        # An app that ignores SIGTERM: --force kills it.
        proc, uuid = self.spawn("--exec=/bin/sh", "--", "-c", "trap '' TERM; while :; do sleep 1; done")
        self.pod("stop", "--force", uuid, check=0)
        proc.communicate(timeout=30)
        self.wait_for(lambda: self.state(uuid) == "exited", "the pod to exit")

    def test_enter_runs_a_command_in_the_apps_root(self):
        proc, uuid = self.spawn("--exec=/bin/sleep", "--", "300")
        res = self.pod("enter", uuid, "/bin/sh", "-c", "ls /; hostname; cat /proc/1/cmdline", check=0)
        self.assertIn("etc", res.stdout)
        self.assertIn("pod-" + uuid, res.stdout)
        self.assertIn("/nspawn/init", res.stdout)

    def test_kill_9_of_run_then_gc_leaves_nothing(self):
        for _ in range(3):
            proc, uuid = self.spawn("--exec=/bin/sleep", "--", "300")
            self.assertNotEqual(pod_cgroups(uuid), [])
            proc.kill()
            proc.communicate(timeout=30)
            self.pod("gc", "--grace-period=0s", check=0)
            self.assertEqual(pod_cgroups(uuid), [])
            self.assertEqual(mounts_containing(self.data_dir), [])
            self.assertEqual(self.pod_dirs("run") + self.pod_dirs("exited-garbage") + self.pod_dirs("garbage"), [])


class CgroupTest(NspawnTestCase):
    def app_cgroup(self, uuid, controller, app):
        for d in pod_cgroups(uuid):
            if os.path.basename(os.path.dirname(d)) == controller or ("/%s/" % controller) in d:
                path = os.path.join(d, app)
                if os.path.isdir(path):
                    return path
        return None

    def test_cpu_shares_and_pids_limit_in_the_apps_cgroup(self):
        proc, uuid = self.spawn("--cpu-shares=512", "--cpu=250m", "--exec=/bin/sleep", "--", "300")
        cpu = self.wait_for(lambda: self.app_cgroup(uuid, "cpu", "busybox"), "the app's cpu cgroup")
        with open(os.path.join(cpu, "cpu.shares")) as f:
            self.assertEqual(f.read().strip(), "512")
        with open(os.path.join(cpu, "cpu.cfs_quota_us")) as f:
            self.assertEqual(f.read().strip(), "25000")
        pids = self.wait_for(lambda: self.app_cgroup(uuid, "pids", "busybox"), "the app's pids cgroup")
        with open(os.path.join(pids, "pids.max")) as f:
            self.assertNotEqual(f.read().strip(), "max")

    def test_the_unified_hierarchy_tracks_every_app(self):
        if not os.path.exists("/sys/fs/cgroup/unified/cgroup.procs") and \
                not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            raise unittest.SkipTest("no cgroup2 hierarchy on this host")
        kv, _ = self.inspect("--print-cgroup", flags=("--stage1-path=" + NSPAWN_ACI,))
        self.assertIn("0::/inspect", kv["cgroup"])

    def test_memory_limit_is_enforced_by_the_oom_killer(self):
        uuid_file = os.path.join(self.root, "uuid")
        hog = "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo survived"
        res = self.nspawn_run("--uuid-file-save=" + uuid_file, "--memory=32M", "--exec=/bin/sh", "--", "-c", hog,
                              image=BUSYBOX_ACI)
        uuid = self._read(uuid_file)
        self.assertNotIn("survived", res.stdout)
        self.assertEqual(self.status_json(uuid)["apps"][0]["exit_code"], 137, res.stderr)
        self.assertEqual(self.status_json(uuid)["apps"][0]["reason"], "OOMKilled")
        self.assertIn("app-busybox-reason=OOMKilled", self.pod("status", uuid, check=0).stdout)
        reason = self.upper(uuid, "rkt/reason/busybox")
        self.assertIsNotNone(reason, res.stderr)
        with open(reason) as f:
            self.assertEqual(f.read(), "OOMKilled")


class SystemdTest(NspawnTestCase):
    def test_ready_reaches_notify_socket(self):
        import socket
        path = os.path.join(self.root, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(30)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        argv = [self.pod_bin()] + self.global_flags() + ["run", "--insecure-options=image",
                                                         "--stage1-path=" + NSPAWN_ACI, BUSYBOX_ACI,
                                                         "--exec=/bin/sleep", "--", "2"]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.children.append(proc)
        messages = set()
        while "READY=1" not in messages:
            messages.update(sock.recv(4096).decode().split("\n"))
        self.assertIsNone(proc.poll())  # ready while the app still runs
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0)


    def notify_image(self):
        """inspect.aci with appc.io/executor/supports-systemd-notify: true."""
        tree = os.path.join(self.root, "notify-tree")
        shutil.copytree(os.path.join(os.path.dirname(INSPECT_ACI), "inspect-tree"), tree, symlinks=True)
        manifest_path = os.path.join(tree, "manifest")
        with open(manifest_path) as f:
            manifest = json.load(f)
        manifest["annotations"] = [{"name": "appc.io/executor/supports-systemd-notify", "value": "true"}]
        with open(manifest_path, "w") as f:
            json.dump(manifest, f)
        image = os.path.join(self.root, "notify.aci")
        self.pod("image", "build", tree, image, check=0)
        return image

    def test_ready_waits_for_apps_that_support_sd_notify(self):
        import socket
        path = os.path.join(self.root, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(60)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        # The notify app says READY=1 after 3 s; the plain app is up at once.
        argv = [self.pod_bin()] + self.global_flags() + [
            "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
            self.notify_image(), "--name=slow", "--", "--print-env", "--sleep=3", "--notify=READY=1", "--sleep=1",
            "---", INSPECT_ACI, "--name=plain", "--", "--print-env", "--sleep=5"]
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.children.append(proc)
        messages = set()
        while "READY=1" not in messages:
            messages.update(sock.recv(4096).decode().split("\n"))
        waited = time.monotonic() - start
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertGreaterEqual(waited, 3.0, out)
        slow = [line for line in out.splitlines() if line.startswith("slow: ")]
        plain = [line for line in out.splitlines() if line.startswith("plain: ")]
        self.assertTrue(any("NOTIFY_SOCKET=@pod-notify/" in line for line in slow), out)
        self.assertTrue(any("notify: sent" in line for line in slow), out)
        self.assertFalse(any("NOTIFY_SOCKET" in line for line in plain), out)


class LogsTest(NspawnTestCase):
    def test_log_files_in_the_cri_format(self):
        uuid_file = os.path.join(self.root, "uuid")
        self.nspawn_run("--uuid-file-save=" + uuid_file, "--exec=/bin/sh", "--", "-c", "echo out; echo err >&2",
                        image=BUSYBOX_ACI, check=0)
        log = self.upper(self._read(uuid_file), "rkt/logs/busybox.log")
        self.assertIsNotNone(log)
        with open(log) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 2, lines)
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F out$")
        self.assertRegex(lines[1], r"^\S+ stderr F err$")

    def test_pod_logs_shows_each_apps_output(self):
        uuid_file = os.path.join(self.root, "uuid")
        self.pod("run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI, "--uuid-file-save=" + uuid_file,
                 BUSYBOX_ACI, "--name=a", "--exec=/bin/sh", "--", "-c", "echo one; echo two",
                 "---", BUSYBOX_ACI, "--name=b", "--exec=/bin/sh", "--", "-c", "sleep 0.5; echo bee", check=0)
        uuid = self._read(uuid_file)
        out = self.pod("logs", uuid, check=0).stdout.splitlines()
        self.assertEqual(sorted(out), ["a: one", "a: two", "b: bee"])
        self.assertEqual(self.pod("logs", "--app=a", "--tail=1", uuid, check=0).stdout, "two\n")
        ts = self.pod("logs", "--app=b", "--timestamps", uuid, check=0).stdout
        self.assertRegex(ts, r"^\d{4}-\d\d-\d\dT\S+Z bee\n$")
        res = self.pod("logs", "--app=nope", uuid, check=254)
        self.assertIn("nope", res.stderr)

    def test_pod_logs_follow_until_the_pod_exits(self):
        proc, uuid = self.spawn("--exec=/bin/sh", "--", "-c", "for i in 1 2 3; do echo line$i; sleep 0.3; done")
        res = self.pod("logs", "--follow", uuid, check=0, timeout=30)
        self.assertEqual(res.stdout, "line1\nline2\nline3\n")
        proc.communicate(timeout=30)


if __name__ == "__main__":
    unittest.main()
