"""stage1-fly and the stage2 launcher at their boundary, without stage0.

Each test builds a pod directory by hand exactly as Documentation/stage1-abi.md says
(pod manifest, stage1/manifest, appsinfo/<app>/manifest, overlay upper/work dirs),
mounts the stage1 and app overlays in a private mount namespace (unshare -m) and
executes the run entrypoint there, as stage0 does. The inspect program inside the pod
reports what the app sees. Nothing is mounted in the test's own namespace; the
temporary tree is removed even when a test fails.
"""
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid

from podtest import BUILD_DIR, require_root, unmount_under

APP = "inspect-app"
DEFAULT_CAPS = sorted([
    "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_KILL",
    "CAP_MKNOD", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETFCAP", "CAP_SYS_CHROOT"])

# Mounts what stage0 mounts, then runs the entrypoint: $1 is the entrypoint path inside
# the stage1 rootfs, the rest its arguments.
RUN_SCRIPT = r"""
set -e
mount -t overlay overlay -o "lowerdir=$S1_LOWER,upperdir=$POD/overlay/stage1/upper,workdir=$POD/overlay/stage1/work" "$POD/stage1/rootfs"
mkdir -p "$POD/stage1/rootfs/opt/stage2/$APP/rootfs"
mount -t overlay overlay -o "lowerdir=$APP_LOWER,upperdir=$POD/overlay/apps/$APP/upper,workdir=$POD/overlay/apps/$APP/work" "$POD/stage1/rootfs/opt/stage2/$APP/rootfs"
cd "$POD"
entry=$1
shift
exec "$POD/stage1/rootfs$entry" "$@"
"""

# What stage0 does for enter/stop/gc: a private namespace with the stage1 tree at
# stage1/rootfs (read-only), then the entrypoint.
VIEW_SCRIPT = r"""
set -e
mount --bind "$S1_LOWER" "$POD/stage1/rootfs"
cd "$POD"
entry=$1
shift
exec "$POD/stage1/rootfs$entry" "$@"
"""


def overlay_supported():
    probe = tempfile.mkdtemp(prefix="podtest-ovl-")
    try:
        for d in ("l", "u", "w", "m"):
            os.mkdir(os.path.join(probe, d))
        res = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "mount", "-t", "overlay", "overlay", "-o",
             "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w" % (probe, probe, probe), probe + "/m"],
            capture_output=True, text=True)
        return res.returncode == 0, res.stderr.strip()
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def read_text(path):
    with open(path) as f:
        return f.read()


def parse_lines(text, key):
    prefix = key + ": "
    return [l[len(prefix):] for l in text.splitlines() if l.startswith(prefix)]


def value(text, key):
    values = parse_lines(text, key)
    if not values:
        raise AssertionError("no %r line in output:\n%s" % (key, text))
    return values[0]


class FlyTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_root(cls)
        ok, why = overlay_supported()
        if not ok:
            raise unittest.SkipTest("overlayfs cannot be mounted here: " + why)
        build = BUILD_DIR or os.environ.get("POD_BUILD_DIR", "")
        cls.stage1_aci = os.path.join(build, "stage1-images", "stage1-fly.aci")
        cls.inspect_aci = os.path.join(build, "tests", "images", "inspect.aci")
        for f in (cls.stage1_aci, cls.inspect_aci):
            if not os.path.exists(f):
                raise AssertionError("%s was not built (build the stage1_fly_aci and test_images targets)" % f)
        cls.images = tempfile.mkdtemp(prefix="podtest-fly-images-")
        cls.stage1_tree = os.path.join(cls.images, "stage1")
        cls.inspect_tree = os.path.join(cls.images, "inspect")
        for aci, tree in ((cls.stage1_aci, cls.stage1_tree), (cls.inspect_aci, cls.inspect_tree)):
            os.makedirs(tree)
            subprocess.run(["tar", "-xzf", aci, "-C", tree], check=True)
        with open(os.path.join(cls.inspect_tree, "manifest")) as f:
            cls.inspect_manifest = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.images, ignore_errors=True)

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="podtest-fly-")
        self.addCleanup(self._cleanup)
        self.procs = []
        self.open_pipes = []

    def _cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        unmount_under(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- building pods ------------------------------------------------------------------

    def make_pod(self, exec_args=None, image_app=None, runtime_app=None, volumes=None,
                 mounts=None, extra_apps=(), read_only_rootfs=False):
        """A pod directory as stage0 leaves it before executing run; returns (dir, uuid)."""
        pod_uuid = str(uuid.uuid4())
        pod = os.path.join(self.root, "pods", "run", pod_uuid)
        for d in ("stage1/rootfs", "overlay/stage1/upper", "overlay/stage1/work",
                  "overlay/apps/%s/upper" % APP, "overlay/apps/%s/work" % APP,
                  "appsinfo/%s" % APP):
            os.makedirs(os.path.join(pod, d))
        image = json.loads(json.dumps(self.inspect_manifest))
        if exec_args is not None:
            image["app"]["exec"] = ["/inspect"] + list(exec_args)
        image["app"].update(image_app or {})
        with open(os.path.join(pod, "appsinfo", APP, "manifest"), "w") as f:
            json.dump(image, f)
        with open(os.path.join(pod, "appsinfo", APP, "treeStoreID"), "w") as f:
            f.write("deps-test")
        shutil.copy(os.path.join(self.stage1_tree, "manifest"), os.path.join(pod, "stage1", "manifest"))
        app_entry = {"name": APP, "image": {"name": "pod.dev/inspect", "id": "sha512-" + "0" * 64},
                     "mounts": mounts or []}
        if runtime_app is not None:
            app_entry["app"] = runtime_app
        if read_only_rootfs:
            app_entry["readOnlyRootFS"] = True
        apps = [app_entry] + [dict(app_entry, name=n) for n in extra_apps]
        manifest = {"acKind": "PodManifest", "acVersion": "0.8.11", "apps": apps,
                    "volumes": volumes or []}
        with open(os.path.join(pod, "pod"), "w") as f:
            json.dump(manifest, f)
        return pod, pod_uuid

    def _env(self, pod):
        env = dict(os.environ, POD=pod, APP=APP, S1_LOWER=os.path.join(self.stage1_tree, "rootfs"),
                   APP_LOWER=os.path.join(self.inspect_tree, "rootfs"))
        return env

    def _popen_run(self, pod, pod_uuid, flags, **kw):
        lock_fd = os.open(pod, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, lock_fd)
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        env = self._env(pod)
        env["RKT_LOCK_FD"] = env["POD_LOCK_FD"] = str(lock_fd)
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", RUN_SCRIPT, "sh",
                "/fly/run"] + list(flags) + [pod_uuid]
        return subprocess.Popen(argv, env=env, pass_fds=(lock_fd,), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)

    def run_pod(self, pod, pod_uuid, flags=(), timeout=60):
        p = self._popen_run(pod, pod_uuid, flags)
        self.procs.append(p)
        out, err = p.communicate(timeout=timeout)
        return subprocess.CompletedProcess(p.args, p.returncode, out, err)

    def start_pod(self, pod, pod_uuid, flags=()):
        p = self._popen_run(pod, pod_uuid, flags)
        self.procs.append(p)
        pid_file = os.path.join(pod, "pid")
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(pid_file) and self.app_started(pod):
                return p, int(read_text(pid_file))
            if p.poll() is not None:
                self.fail("the pod exited early (%d): %s" % (p.returncode, p.stderr.read()))
            time.sleep(0.05)
        self.fail("the pod did not write its pid file")

    def app_started(self, pod):
        # The launcher has exec'ed the app once the run process has a child running inspect.
        pid = int(read_text(os.path.join(pod, "pid")))
        try:
            children = read_text("/proc/%d/task/%d/children" % (pid, pid)).split()
        except OSError:
            return False
        for c in children:
            try:
                if os.readlink("/proc/%s/exe" % c).endswith("/inspect"):
                    return True
            except OSError:
                pass
        return False

    def entrypoint(self, pod, name, args, timeout=60, input=None):
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", VIEW_SCRIPT, "sh",
                "/fly/" + name] + list(args)
        return subprocess.run(argv, env=self._env(pod), capture_output=True, text=True,
                              timeout=timeout, input=input)

    def status_file(self, pod):
        # After the pod's namespace is gone, stage1's writes are in its overlay's upper dir.
        path = os.path.join(pod, "overlay", "stage1", "upper", "rkt", "status", APP)
        return read_text(path) if os.path.exists(path) else None

    def run_inspect(self, *args, expect=0, flags=(), **pod_kw):
        pod, pod_uuid = self.make_pod(exec_args=args, **pod_kw)
        res = self.run_pod(pod, pod_uuid, flags)
        if expect is not None:
            self.assertEqual(res.returncode, expect,
                             "run exited %d, wanted %d\nstdout:\n%s\nstderr:\n%s" %
                             (res.returncode, expect, res.stdout, res.stderr))
        return res, pod


class RunTest(FlyTestCase):
    def test_exit_status_is_propagated_and_written(self):
        res, pod = self.run_inspect("--exit-code=7", expect=7)
        self.assertEqual(self.status_file(pod), "7")
        self.assertTrue(os.path.exists(os.path.join(pod, "pid")))

    def test_environment(self):
        res, _ = self.run_inspect("--print-env", image_app={
            "environment": [{"name": "GREETING", "value": "hello"},
                            {"name": "AC_APP_NAME", "value": "spoofed"}]})
        env = dict(l.split("=", 1) for l in parse_lines(res.stdout, "env"))
        self.assertEqual(env["AC_APP_NAME"], APP)
        self.assertEqual(env["GREETING"], "hello")
        self.assertEqual(env["PATH"], "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        self.assertEqual(env["HOME"], "/root")
        self.assertEqual(env["USER"], "root")

    def test_working_directory(self):
        res, _ = self.run_inspect("--print-cwd")
        self.assertEqual(value(res.stdout, "cwd"), "/")
        res, _ = self.run_inspect("--print-cwd", image_app={"workingDirectory": "/home/user"})
        self.assertEqual(value(res.stdout, "cwd"), "/home/user")

    def test_user_and_group_by_name_with_supplementary_groups(self):
        res, _ = self.run_inspect("--print-user", "--print-env", runtime_app={
            "exec": ["/inspect", "--print-user", "--print-env"], "user": "user", "group": "group",
            "supplementaryGIDs": [2000, 3000]})
        self.assertEqual(value(res.stdout, "uid"), "1000")
        self.assertEqual(value(res.stdout, "gid"), "1000")
        self.assertEqual(value(res.stdout, "groups"), "2000 3000")
        env = dict(l.split("=", 1) for l in parse_lines(res.stdout, "env"))
        self.assertEqual(env["HOME"], "/home/user")
        self.assertEqual(env["USER"], "user")

    def test_user_and_group_by_number(self):
        res, _ = self.run_inspect("--print-user", image_app={"user": "4242", "group": "4343"})
        self.assertEqual(value(res.stdout, "uid"), "4242")
        self.assertEqual(value(res.stdout, "gid"), "4343")
        self.assertEqual(value(res.stdout, "groups"), "")

    def test_unknown_user_is_an_error_naming_it(self):
        res, pod = self.run_inspect("--print-user", expect=254, image_app={"user": "ghost"})
        self.assertIn("ghost", res.stderr)
        self.assertIn("/etc/passwd", res.stderr)
        self.assertIn(APP, res.stderr)
        self.assertEqual(self.status_file(pod), "1")

    def test_default_capabilities(self):
        res, _ = self.run_inspect("--print-caps")
        self.assertEqual(sorted(value(res.stdout, "cap_bounding").split(",")), DEFAULT_CAPS)
        self.assertEqual(sorted(value(res.stdout, "cap_effective").split(",")), DEFAULT_CAPS)

    def test_capabilities_retain_and_remove_sets(self):
        res, _ = self.run_inspect("--print-caps", image_app={"isolators": [
            {"name": "os/linux/capabilities-retain-set", "value": {"set": ["CAP_NET_ADMIN", "CAP_KILL"]}}]})
        self.assertEqual(value(res.stdout, "cap_bounding"), "CAP_KILL,CAP_NET_ADMIN")
        res, _ = self.run_inspect("--print-caps", image_app={"isolators": [
            {"name": "os/linux/capabilities-remove-set", "value": {"set": ["CAP_NET_RAW", "CAP_MKNOD"]}}]})
        bounding = value(res.stdout, "cap_bounding").split(",")
        self.assertNotIn("CAP_NET_RAW", bounding)
        self.assertNotIn("CAP_MKNOD", bounding)
        self.assertEqual(len(bounding), len(DEFAULT_CAPS) - 2)

    def test_non_root_capabilities(self):
        res, _ = self.run_inspect("--print-caps", image_app={"user": "user", "group": "group"})
        self.assertEqual(value(res.stdout, "cap_effective"), "")
        self.assertEqual(sorted(value(res.stdout, "cap_bounding").split(",")), DEFAULT_CAPS)
        res, _ = self.run_inspect("--print-caps", image_app={"user": "user", "group": "group", "isolators": [
            {"name": "os/linux/capabilities-retain-set", "value": {"set": ["CAP_NET_BIND_SERVICE"]}}]})
        self.assertEqual(value(res.stdout, "cap_effective"), "CAP_NET_BIND_SERVICE")
        self.assertEqual(value(res.stdout, "cap_ambient"), "CAP_NET_BIND_SERVICE")

    def test_disable_capabilities_restriction(self):
        res, _ = self.run_inspect("--print-caps", flags=["--disable-capabilities-restriction"])
        self.assertIn("CAP_SYS_ADMIN", value(res.stdout, "cap_bounding").split(","))

    def test_no_new_privileges(self):
        res, _ = self.run_inspect("--print-nnp", flags=["--disable-seccomp"])
        self.assertEqual(value(res.stdout, "no_new_privs"), "0")
        # The default seccomp filter is loaded while the launcher is privileged: no
        # no_new_privs for the app (setuid programs keep working), as in rkt.
        res, _ = self.run_inspect("--print-nnp", "--print-seccomp")
        self.assertEqual(value(res.stdout, "no_new_privs"), "0")
        self.assertEqual(value(res.stdout, "seccomp"), "2")
        # A filter that blocks the launcher's own set-up calls is loaded last, which the
        # kernel allows an unprivileged process only with no_new_privs.
        res, _ = self.run_inspect("--print-nnp", "--print-seccomp", image_app={"isolators": [
            {"name": "os/linux/seccomp-remove-set", "value": {"set": ["setresuid"], "errno": "EPERM"}}]})
        self.assertEqual(value(res.stdout, "no_new_privs"), "1")
        self.assertEqual(value(res.stdout, "seccomp"), "2")
        res, _ = self.run_inspect("--print-nnp", flags=["--disable-seccomp"], image_app={"isolators": [
            {"name": "os/linux/no-new-privileges", "value": True}]})
        self.assertEqual(value(res.stdout, "no_new_privs"), "1")

    def test_default_seccomp_filter(self):
        retain_admin = {"isolators": [{"name": "os/linux/capabilities-retain-set",
                                       "value": {"set": ["CAP_SYS_ADMIN"]}}]}
        res, _ = self.run_inspect("--print-seccomp", "--try-umount=/nonexistent", image_app=retain_admin)
        self.assertEqual(value(res.stdout, "seccomp"), "2")
        self.assertTrue(value(res.stdout, "umount").startswith("EPERM"), res.stdout)
        res, _ = self.run_inspect("--print-seccomp", "--try-umount=/nonexistent", image_app=retain_admin,
                                  flags=["--disable-seccomp"])
        self.assertEqual(value(res.stdout, "seccomp"), "0")
        self.assertFalse(value(res.stdout, "umount").startswith("EPERM"), res.stdout)

    def test_seccomp_remove_set_with_errno_and_with_kill(self):
        res, _ = self.run_inspect("--try-umount=/nonexistent", image_app={"isolators": [
            {"name": "os/linux/seccomp-remove-set", "value": {"set": ["umount2"], "errno": "ENOTSUP"}}]})
        self.assertIn("Operation not supported", value(res.stdout, "umount"))
        # Killed by SIGSYS: run dies of it too (as rkt-fly), the status file says 128+31.
        res, pod = self.run_inspect("--try-umount=/nonexistent", expect=-signal.SIGSYS, image_app={
            "isolators": [{"name": "os/linux/seccomp-remove-set", "value": {"set": ["umount2"]}}]})
        self.assertEqual(self.status_file(pod), str(128 + signal.SIGSYS))

    def test_oom_score_adj(self):
        res, _ = self.run_inspect("--print-oom-score-adj", image_app={"isolators": [
            {"name": "os/linux/oom-score-adj", "value": 500}]})
        self.assertEqual(value(res.stdout, "oom_score_adj"), "500")

    def test_unenforced_isolators_are_reported(self):
        res, _ = self.run_inspect("--exit-code=0", image_app={"isolators": [
            {"name": "resource/memory", "value": {"limit": "1G"}}]})
        self.assertIn("does not enforce isolator resource/memory", res.stderr)

    def test_default_rlimit_nofile(self):
        res, _ = self.run_inspect("--print-rlimit=NOFILE")
        soft, hard = value(res.stdout, "rlimit_NOFILE").split()
        self.assertEqual(soft, "1024")

    def test_minimal_dev(self):
        res, _ = self.run_inspect("--check-dev", "--stat=/dev/shm", "--stat=/dev/ptmx")
        self.assertEqual(value(res.stdout, "dev_ok"), "yes", res.stdout)
        self.assertEqual(value(res.stdout, "dev_null"), "char 1:3")
        self.assertIn("type=dir mode=1777", parse_lines(res.stdout, "stat")[0])
        self.assertIn("type=symlink", parse_lines(res.stdout, "stat")[1])

    def test_proc_sys_tmp(self):
        res, _ = self.run_inspect("--print-mounts")
        mounts = {l.split()[0]: l.split()[1:] for l in parse_lines(res.stdout, "mount")}
        self.assertEqual(mounts["/proc"][0], "proc")
        self.assertEqual(mounts["/sys"][0], "sysfs")
        self.assertTrue(mounts["/sys"][1].startswith("ro"), mounts["/sys"])
        self.assertEqual(mounts["/tmp"][0], "tmpfs")
        self.assertEqual(mounts["/dev"][0], "tmpfs")

    def test_kernel_paths_are_protected_unless_disabled(self):
        res, _ = self.run_inspect("--print-mounts", "--stat=/proc/kallsyms", "--write-file=/proc/sys/kernel/domainname",
                                  "--content=x", expect=1)
        mounts = {l.split()[0]: l.split()[1:] for l in parse_lines(res.stdout, "mount")}
        self.assertTrue(mounts["/proc/sys"][1].startswith("ro"), mounts.get("/proc/sys"))
        self.assertIn("type=char", value(res.stdout, "stat"))  # /dev/null over it
        self.assertIn("Read-only file system", value(res.stdout, "write-error"))
        res, _ = self.run_inspect("--print-mounts", "--stat=/proc/kallsyms", flags=["--disable-paths"])
        mounts = {l.split()[0] for l in parse_lines(res.stdout, "mount")}
        self.assertNotIn("/proc/sys", mounts)
        self.assertIn("type=file", value(res.stdout, "stat"))

    def test_host_resolv_conf_when_image_has_none(self):
        if not os.path.isfile("/etc/resolv.conf"):
            self.skipTest("the host has no /etc/resolv.conf")
        res, _ = self.run_inspect("--read-file=/etc/resolv.conf")
        with open("/etc/resolv.conf") as f:
            host = f.read()
        self.assertEqual(value(res.stdout, "content"), host.replace("\\", "\\\\").replace("\n", "\\n"))
        res, _ = self.run_inspect("--read-file=/etc/resolv.conf", flags=["--dns=192.0.2.53"])
        self.assertEqual(value(res.stdout, "content"), "nameserver 192.0.2.53\\n")
        # rkt's special values: "host" even over the image's file, "none" leaves it.
        pod, pod_uuid = self.make_pod(exec_args=["--read-file=/etc/resolv.conf"])
        etc = os.path.join(pod, "overlay", "apps", APP, "upper", "etc")
        os.makedirs(etc)
        with open(os.path.join(etc, "resolv.conf"), "w") as f:
            f.write("nameserver 192.0.2.99\n")
        res = self.run_pod(pod, pod_uuid, flags=["--dns=host"])
        self.assertEqual(value(res.stdout, "content"), host.replace("\\", "\\\\").replace("\n", "\\n"))
        pod, pod_uuid = self.make_pod(exec_args=["--read-file=/etc/resolv.conf"])
        res = self.run_pod(pod, pod_uuid, flags=["--dns=none"])
        self.assertIn("read-error: /etc/resolv.conf", res.stdout)
        # Debian-style images link /etc/resolv.conf to a file that does not exist yet.
        pod, pod_uuid = self.make_pod(exec_args=["--read-file=/etc/resolv.conf"])
        etc = os.path.join(pod, "overlay", "apps", APP, "upper", "etc")
        os.makedirs(etc)
        os.symlink("../run/resolvconf/resolv.conf", os.path.join(etc, "resolv.conf"))
        res = self.run_pod(pod, pod_uuid)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(value(res.stdout, "content"), host.replace("\\", "\\\\").replace("\n", "\\n"))

    def test_volumes_host_read_only_and_empty(self):
        src = os.path.join(self.root, "host-src")
        os.makedirs(src)
        with open(os.path.join(src, "marker"), "w") as f:
            f.write("from the host")
        res, pod = self.run_inspect(
            "--read-file=/data/marker", "--write-file=/data/new", "--write-file=/scratch/out",
            "--content=written", "--stat=/scratch", expect=1,
            image_app={"mountPoints": [{"name": "data", "path": "/data", "readOnly": True},
                                       {"name": "scratch", "path": "/scratch"}]},
            volumes=[{"name": "data", "kind": "host", "source": src},
                     {"name": "scratch", "kind": "empty", "mode": "0750", "uid": 1000, "gid": 1000}])
        self.assertEqual(value(res.stdout, "content"), "from the host")
        self.assertIn("Read-only file system", value(res.stdout, "write-error"))
        self.assertEqual(parse_lines(res.stdout, "wrote"), ["/scratch/out"])
        self.assertEqual(value(res.stdout, "stat"), "/scratch type=dir mode=0750 uid=1000 gid=1000")
        self.assertFalse(os.path.exists(os.path.join(src, "new")))
        empty = os.path.join(pod, "overlay", "stage1", "upper", "rkt", "volumes", "scratch", "out")
        self.assertEqual(read_text(empty), "written")

    def test_a_volume_over_image_files_is_reported(self):
        src = os.path.join(self.root, "host-src")
        os.makedirs(src)
        res, _ = self.run_inspect("--exit-code=0", image_app={"mountPoints": [{"name": "etc", "path": "/etc"}]},
                                  volumes=[{"name": "etc", "kind": "host", "source": src}])
        self.assertIn("volume etc hides the files the image has at /etc", res.stderr)

    def test_volume_mount_from_pod_manifest_mounts(self):
        src = os.path.join(self.root, "host-src")
        os.makedirs(src)
        res, _ = self.run_inspect("--write-file=/mnt/here/x", "--content=ok",
                                  volumes=[{"name": "v", "kind": "host", "source": src, "readOnly": False}],
                                  mounts=[{"volume": "v", "path": "/mnt/here"}])
        self.assertEqual(read_text(os.path.join(src, "x")), "ok")

    def test_mount_point_without_volume_is_an_error(self):
        res, pod = self.run_inspect("--print-env", expect=254,
                                    image_app={"mountPoints": [{"name": "data", "path": "/data"}]})
        self.assertIn("mount point data", res.stderr)
        self.assertIn(APP, res.stderr)
        self.assertIn("--volume", res.stderr)
        self.assertIsNone(self.status_file(pod))

    def test_missing_host_volume_source_is_an_error(self):
        res, _ = self.run_inspect("--print-env", expect=254,
                                  image_app={"mountPoints": [{"name": "data", "path": "/data"}]},
                                  volumes=[{"name": "data", "kind": "host", "source": "/nonexistent/pod-src"}])
        self.assertIn("/nonexistent/pod-src", res.stderr)

    def test_symlinks_in_the_image_stay_inside_its_rootfs(self):
        # The image's /data is a symlink to an absolute host path: the volume must be
        # mounted at that path *inside* the rootfs, so the app still sees it at /data.
        outside = os.path.join(self.root, "outside")
        os.makedirs(outside)
        src = os.path.join(self.root, "host-src")
        os.makedirs(src)
        with open(os.path.join(src, "marker"), "w") as f:
            f.write("volume")
        pod, pod_uuid = self.make_pod(
            exec_args=["--read-file=/data/marker"],
            image_app={"mountPoints": [{"name": "data", "path": "/data"}]},
            volumes=[{"name": "data", "kind": "host", "source": src}])
        os.symlink(outside, os.path.join(pod, "overlay", "apps", APP, "upper", "data"))
        res = self.run_pod(pod, pod_uuid)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(value(res.stdout, "content"), "volume")
        self.assertEqual(os.listdir(outside), [])

    def test_chroot_escape_stays_in_the_app(self):
        # CAP_SYS_CHROOT is in the default set; with a plain chroot the app could walk
        # out of its rootfs. The launcher pivot_roots, so "/" stays the app's.
        res, _ = self.run_inspect("--try-chroot-escape")
        entries = value(res.stdout, "escape_root").split(",")
        self.assertIn("inspect", entries)
        self.assertNotIn("fly", entries)
        self.assertNotIn("opt", entries)

    def test_read_only_rootfs(self):
        res, _ = self.run_inspect("--write-file=/file", "--write-file=/tmp/file", "--content=x",
                                  expect=1, read_only_rootfs=True)
        self.assertIn("Read-only file system", value(res.stdout, "write-error"))
        self.assertEqual(parse_lines(res.stdout, "wrote"), ["/tmp/file"])

    def test_exec_missing_or_not_executable_is_a_pod_error(self):
        # 254 as rkt: the app never ran; the status file keeps the launcher's 127/126.
        res, pod = self.run_inspect(expect=254, image_app={"exec": ["/no/such/program"]})
        self.assertIn("/no/such/program", res.stderr)
        self.assertIn(APP, res.stderr)
        self.assertEqual(self.status_file(pod), "127")
        res, pod = self.run_inspect(expect=254, image_app={"exec": ["/not-executable"]})
        self.assertEqual(self.status_file(pod), "126")
        self.assertIn("/not-executable", res.stderr)

    def test_exactly_one_app(self):
        pod, pod_uuid = self.make_pod(exec_args=["--print-env"], extra_apps=["second"])
        res = self.run_pod(pod, pod_uuid)
        self.assertEqual(res.returncode, 254)
        self.assertIn("exactly one app", res.stderr)
        self.assertIn("second", res.stderr)

    def test_interactive_gets_the_terminal_as_console(self):
        pod, pod_uuid = self.make_pod(exec_args=["--stat=/dev/console", "--echo-stdin"])
        controller, terminal = pty.openpty()
        self.addCleanup(os.close, controller)
        lock_env = self._env(pod)
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", RUN_SCRIPT, "sh",
                "/fly/run", "--interactive", pod_uuid]
        p = subprocess.Popen(argv, env=lock_env, stdin=terminal, stdout=terminal, stderr=terminal)
        os.close(terminal)
        self.procs.append(p)
        os.write(controller, b"typed\n\x04")
        output = b""
        deadline = time.time() + 30
        while time.time() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            elif p.poll() is not None:
                break
        p.wait(timeout=30)
        text = output.decode(errors="replace").replace("\r", "")
        self.assertEqual(p.returncode, 0, text)
        self.assertIn("/dev/console type=char", text)
        self.assertIn("typed", text)

    def test_event_handlers(self):
        res, pod = self.run_inspect(
            "--read-file=/tmp/pre", "--exit-code=4", expect=4,
            image_app={"eventHandlers": [
                {"name": "pre-start", "exec": ["/inspect", "--write-file=/tmp/pre", "--content=pre-ran"]},
                {"name": "post-stop", "exec": ["/inspect", "--write-file=/out/post", "--content=post-ran"]}],
                "mountPoints": [{"name": "out", "path": "/out"}]},
            volumes=[{"name": "out", "kind": "empty"}])
        self.assertEqual(value(res.stdout, "content"), "pre-ran")
        self.assertEqual(self.status_file(pod), "4")
        post = os.path.join(pod, "overlay", "stage1", "upper", "rkt", "volumes", "out", "post")
        self.assertEqual(read_text(post), "post-ran")

    def test_failing_pre_start_handler_keeps_the_app_from_starting(self):
        res, pod = self.run_inspect(
            "--write-file=/out/app", "--content=x", expect=3,
            image_app={"eventHandlers": [{"name": "pre-start", "exec": ["/inspect", "--exit-code=3"]}],
                       "mountPoints": [{"name": "out", "path": "/out"}]},
            volumes=[{"name": "out", "kind": "empty"}])
        self.assertIn("pre-start handler /inspect --exit-code=3 exited with status 3", res.stderr)
        self.assertFalse(os.path.exists(os.path.join(
            pod, "overlay", "stage1", "upper", "rkt", "volumes", "out", "app")))

    def test_gc_has_nothing_to_do(self):
        pod, pod_uuid = self.make_pod(exec_args=["--print-env"])
        res = self.entrypoint(pod, "gc", [pod_uuid])
        self.assertEqual(res.returncode, 0, res.stderr)


class LifecycleTest(FlyTestCase):
    def test_stop_forwards_sigterm(self):
        pod, pod_uuid = self.make_pod(exec_args=["--sleep=60"])
        p, pid = self.start_pod(pod, pod_uuid)
        res = self.entrypoint(pod, "stop", [pod_uuid])
        self.assertEqual(res.returncode, 0, res.stderr)
        p.wait(timeout=30)
        self.assertEqual(p.returncode, -signal.SIGTERM, p.stderr.read())  # dies of the app's signal
        self.assertEqual(self.status_file(pod), str(128 + signal.SIGTERM))
        # Stopping a pod that has exited is not an error.
        res = self.entrypoint(pod, "stop", ["--force", pod_uuid])
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_stop_force_kills(self):
        pod, pod_uuid = self.make_pod(exec_args=["--sleep=60"])
        p, _ = self.start_pod(pod, pod_uuid)
        res = self.entrypoint(pod, "stop", ["--force", pod_uuid])
        self.assertEqual(res.returncode, 0, res.stderr)
        p.wait(timeout=30)
        self.assertEqual(p.returncode, -signal.SIGKILL)

    def test_sigint_to_run_reaches_the_app(self):
        pod, pod_uuid = self.make_pod(exec_args=["--sleep=60"])
        p, pid = self.start_pod(pod, pod_uuid)
        os.kill(pid, signal.SIGINT)
        p.wait(timeout=30)
        self.assertEqual(p.returncode, -signal.SIGINT)

    def test_the_app_dies_with_its_stage1(self):
        # fly's app shares the host's pid namespace: nothing else would end it.
        for user in ("0", "user"):
            pod, pod_uuid = self.make_pod(exec_args=["--sleep=60"], image_app={"user": user})
            p, pid = self.start_pod(pod, pod_uuid)
            app = int(read_text("/proc/%d/task/%d/children" % (pid, pid)).split()[0])
            os.kill(pid, signal.SIGKILL)
            p.wait(timeout=30)
            deadline = time.time() + 10
            while time.time() < deadline and os.path.exists("/proc/%d/exe" % app):
                time.sleep(0.05)
            self.assertFalse(os.path.exists("/proc/%d/exe" % app), "app of user %s survived" % user)

    def test_enter_runs_in_the_app_as_the_app(self):
        pod, pod_uuid = self.make_pod(exec_args=["--sleep=60"], image_app={
            "user": "user", "group": "group", "environment": [{"name": "FROM_IMAGE", "value": "yes"}]})
        p, pid = self.start_pod(pod, pod_uuid)
        res = self.entrypoint(pod, "enter", ["--pid=%d" % pid, "--appname=" + APP, "--",
                                             "/inspect", "--print-env", "--print-user", "--print-mounts"])
        self.assertEqual(res.returncode, 0, res.stderr)
        env = dict(l.split("=", 1) for l in parse_lines(res.stdout, "env"))
        self.assertEqual(env["AC_APP_NAME"], APP)
        self.assertEqual(env["FROM_IMAGE"], "yes")
        self.assertEqual(value(res.stdout, "uid"), "1000")
        self.assertIn("/proc", [l.split()[0] for l in parse_lines(res.stdout, "mount")])
        # The default command is a shell in the app's rootfs.
        res = self.entrypoint(pod, "enter", ["--pid=%d" % pid], input="echo in-$AC_APP_NAME\n")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("in-" + APP, res.stdout)
        # A command without a slash is looked up in the app's PATH (busybox's /bin/echo).
        res = self.entrypoint(pod, "enter", ["--pid=%d" % pid, "--", "echo", "hello"])
        self.assertEqual((res.returncode, res.stdout), (0, "hello\n"), res.stderr)
        res = self.entrypoint(pod, "enter", ["--pid=%d" % pid, "--", "no-such-command"])
        self.assertEqual(res.returncode, 127, res.stderr)
        self.assertIn("no-such-command not found in the app's PATH", res.stderr)
        self.entrypoint(pod, "stop", [pod_uuid])
        p.wait(timeout=30)

    def test_enter_refuses_a_process_of_another_pod(self):
        pod, pod_uuid = self.make_pod(exec_args=["--print-env"])
        res = self.entrypoint(pod, "enter", ["--pid=%d" % os.getpid(), "--", "/inspect"])
        self.assertEqual(res.returncode, 254)
        self.assertIn("not this pod", res.stderr)


if __name__ == "__main__":
    unittest.main()
