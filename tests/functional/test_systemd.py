"""systemd integration of stage1-nspawn: socket activation (Documentation/systemd.md).

`systemd-socket-activate` (Debian's systemd package; it needs no systemd as PID 1) listens
on a free loopback port and starts `pod run` with LISTEN_FDS for it; the test connects and
reads the app's reply, which the app writes only when LISTEN_PID is its own pid and the
socket is at fd 3.
"""
import json
import os
import sys
import shutil
import socket
import subprocess
import time
import unittest

from podfixture import INSPECT_ACI
from test_stage1_nspawn import NSPAWN_ACI, NspawnTestCase

SOCKET_ACTIVATE = shutil.which("systemd-socket-activate") or "/usr/bin/systemd-socket-activate"

# Puts fd argv[1] at 3, sets LISTEN_PID to its own pid and execs argv[2:] (what systemd
# does for a socket unit's service).
PASS_SOCKET = """import os, sys
fd = int(sys.argv[1])
os.dup2(fd, 3)
os.close(fd)
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SocketActivationTest(NspawnTestCase):
    def setUp(self):
        if not os.access(SOCKET_ACTIVATE, os.X_OK):
            raise unittest.SkipTest("systemd-socket-activate is not installed (Debian package systemd)")
        super().setUp()

    def image_with_ports(self, name, ports):
        """inspect.aci named `name` declaring `ports` ([(port, socketActivated)])."""
        tree = os.path.join(self.root, name + "-tree")
        shutil.copytree(os.path.join(os.path.dirname(INSPECT_ACI), "inspect-tree"), tree, symlinks=True)
        path = os.path.join(tree, "manifest")
        with open(path) as f:
            manifest = json.load(f)
        manifest["name"] = "example.com/" + name
        manifest["app"]["ports"] = [{"name": "p%d" % p, "protocol": "tcp", "port": p, "socketActivated": a}
                                    for p, a in ports]
        with open(path, "w") as f:
            json.dump(manifest, f)
        image = os.path.join(self.root, name + ".aci")
        self.pod("image", "build", tree, image, check=0)
        return image

    def activate(self, port, *run_args):
        argv = [SOCKET_ACTIVATE, "-l", "127.0.0.1:%d" % port, "--fdname=web",
                self.pod_bin()] + self.global_flags() + ["run", "--insecure-options=image",
                                                         "--stage1-path=" + NSPAWN_ACI] + list(run_args)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.children.append(proc)
        return proc

    def run_with_socket(self, *run_args):
        """`pod run` with LISTEN_FDS=1 for a listening socket the test made (fd 3, LISTEN_PID
        set by the shell that execs pod); returns (socket, process)."""
        import fcntl
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        fd = fcntl.fcntl(listener.fileno(), fcntl.F_DUPFD, 10)
        self.addCleanup(os.close, fd)
        argv = [sys.executable, "-c", PASS_SOCKET, str(fd), self.pod_bin()] + self.global_flags() + [
            "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI] + list(run_args)
        env = dict(os.environ, LISTEN_FDS="1", LISTEN_FDNAMES="web")
        proc = subprocess.Popen(argv, env=env, pass_fds=(fd,), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.children.append(proc)
        return listener, proc

    def connect(self, port, proc):
        """Connects once systemd-socket-activate listens; returns what the pod replies."""
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except ConnectionRefusedError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with conn:
            data = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return data.decode()
                data += chunk

    def test_socket_reaches_the_socket_activated_app(self):
        port = free_port()
        web = self.image_with_ports("web", [(8080, True)])
        plain = self.image_with_ports("plain", [(9090, False)])
        proc = self.activate(port, web, "--", "--accept-listen-fd",
                             "---", plain, "--", "--print-env")
        reply = self.connect(port, proc)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(reply, "hello from web fds=1 names=web\n", out + err)
        self.assertIn("web: listen: served", out)
        plain_lines = [line for line in out.splitlines() if line.startswith("plain: ")]
        self.assertTrue(plain_lines, out)
        self.assertFalse(any("LISTEN_" in line for line in plain_lines), out)

    def test_no_socket_activated_port_no_sockets(self):
        plain = self.image_with_ports("plain", [(9090, False)])
        _, proc = self.run_with_socket(plain, "--", "--accept-listen-fd", "--exit-code=0")
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("listen-error: no LISTEN_FDS/LISTEN_PID", out)
        self.assertIn("match no app's socketActivated port", err)

    def test_several_socket_activated_apps_by_port(self):
        """Two apps with socket-activated ports: the socket goes to the one whose port is the
        socket's own (rkt's socket units, matched by address)."""
        import fcntl
        a = self.image_with_ports("a", [(1, True)])
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener_port = listener.getsockname()[1]
        b = self.image_with_ports("b", [(listener_port, True)])  # a does not declare it
        fd = fcntl.fcntl(listener.fileno(), fcntl.F_DUPFD, 10)
        self.addCleanup(os.close, fd)
        argv = [sys.executable, "-c", PASS_SOCKET, str(fd), self.pod_bin()] + self.global_flags() + [
                    "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
                    a, "--", "--accept-listen-fd", "--exit-code=0", "---", b, "--", "--accept-listen-fd"]
        proc = subprocess.Popen(argv, env=dict(os.environ, LISTEN_FDS="1"), pass_fds=(fd,),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.children.append(proc)
        reply = self.connect(listener_port, proc)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(reply, "hello from b fds=1 names=unknown\n", out + err)
        self.assertIn("a: listen-error: no LISTEN_FDS/LISTEN_PID", out)
        self.assertIn("b: listen: served", out)

JOURNALD = "/lib/systemd/systemd-journald"

# In a private mount namespace: a journald of the test's own on tmpfs, `pod run` (whose
# apps' lines pod init sends there), then journalctl polled (bounded) until both lines of
# the pod are in the journal; prints them in the export format.
JOURNAL_SCRIPT = r"""
set -e
mount -t tmpfs tmpfs /run/systemd/journal
mount -t tmpfs tmpfs /run/log/journal
"$JOURNALD" >/dev/null 2>&1 &
jd=$!
trap 'kill $jd; wait $jd || true' EXIT
i=0
until [ -S /run/systemd/journal/socket ]; do i=$((i+1)); [ $i -lt 200 ] || exit 97; sleep 0.05; done
"$@"
uuid=$(cat "$UUID_FILE")
i=0
until [ "$(journalctl -q --no-pager -D /run/log/journal POD_UUID=$uuid -o cat | wc -l)" -ge 2 ]; do
  i=$((i+1)); [ $i -lt 200 ] || break; sleep 0.05
done
journalctl -q --no-pager -D /run/log/journal POD_UUID=$uuid -o export
# Without its log files, `pod logs` reads the journal.
logs=$(ls -d "$DATA_DIR"/pods/*/"$uuid"/overlay/stage1/upper/rkt/logs)
rm -r "$logs"
echo "=== pod logs"
$POD_CMD logs "$uuid"
"""


class JournalTest(NspawnTestCase):
    def setUp(self):
        if not os.access(JOURNALD, os.X_OK) or not shutil.which("journalctl"):
            raise unittest.SkipTest("systemd-journald/journalctl are not installed (Debian package systemd)")
        for d in ("/run/systemd/journal", "/run/log/journal"):
            if not os.path.isdir(d):
                raise unittest.SkipTest("%s does not exist to mount a private tmpfs on" % d)
        super().setUp()

    def test_app_output_reaches_journald(self):
        from podfixture import BUSYBOX_ACI
        uuid_file = os.path.join(self.root, "uuid")
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", JOURNAL_SCRIPT, "sh",
                self.pod_bin()] + self.global_flags() + [
                    "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
                    "--uuid-file-save=" + uuid_file, BUSYBOX_ACI, "--exec=/bin/sh", "--",
                    "-c", "echo out-line; echo err-line >&2"]
        env = dict(os.environ, JOURNALD=JOURNALD, UUID_FILE=uuid_file, DATA_DIR=self.data_dir,
                   POD_CMD=" ".join([self.pod_bin()] + self.global_flags()))
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        if proc.returncode == 97:
            self.skipTest("systemd-journald did not start in a private mount namespace")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        uuid = self._read(uuid_file)
        export, logs = proc.stdout.split("=== pod logs\n")
        entries = [dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
                   for block in export.split("\n\n") if "MESSAGE=" in block]
        got = {(e["MESSAGE"], e["PRIORITY"], e["SYSLOG_IDENTIFIER"], e["POD_UUID"], e["POD_APP"])
               for e in entries}
        self.assertEqual(got, {("out-line", "6", "busybox", uuid, "busybox"),
                               ("err-line", "3", "busybox", uuid, "busybox")}, proc.stdout)
        # pod logs, its log files gone, read the journal
        self.assertEqual(sorted(logs.splitlines()), ["err-line", "out-line"], proc.stderr)


if __name__ == "__main__":
    unittest.main()
