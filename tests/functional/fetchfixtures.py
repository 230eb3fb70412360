"""Fixtures shared by the fetch, trust and image verify tests: ACIs made with
tarfile, a test CA, loopback http/https servers and a private gpg home, all
stopped and removed at cleanup even when a test fails."""
import gzip
import io
import json
import os
import pty
import select
import tarfile
import time

from gpgkeys import Gpg
from podtest import PodTestCase
from testserver import DiscoveryPorts, TestServer, make_test_ca


def make_aci(path, name, labels=None, files=None, compress=True):
    """Writes an ACI: a manifest and rootfs/ holding files ({relpath: bytes})."""
    labels = labels if labels is not None else {"version": "1.0", "os": "linux", "arch": "amd64"}
    manifest = {
        "acKind": "ImageManifest",
        "acVersion": "0.8.11",
        "name": name,
        "labels": [{"name": k, "value": v} for k, v in labels.items()],
    }
    files = files if files is not None else {"hello.txt": ("hello from %s\n" % name).encode()}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(arcname, data=None, directory=False):
            info = tarfile.TarInfo(arcname)
            info.mtime = 1500000000
            if directory:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
        add("manifest", json.dumps(manifest, indent=2).encode())
        add("rootfs", directory=True)
        for rel, data in sorted(files.items()):
            add("rootfs/" + rel, data)
    data = raw.getvalue()
    if compress:
        data = gzip.compress(data, compresslevel=1, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def run_on_terminal(argv, answer, env, timeout=60):
    """Runs argv with stdin/stdout/stderr on a pseudo-terminal, types `answer` (unless
    None) once a yes/no question appears; returns (exit code, everything it printed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    out = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if answer is not None and not answered and b"(yes/no)?" in out:
                os.write(fd, (answer + "\n").encode())
                answered = True
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


class FetchTestCase(PodTestCase):
    """PodTestCase plus a test CA, an https and an http server, and a gpg home."""

    def setUp(self):
        super().setUp()
        self.work = os.path.join(self.root, "work")
        os.makedirs(self.work)
        self.ca, cert, key = make_test_ca(os.path.join(self.root, "ca"))
        self.tls = (cert, key)
        self.https = TestServer(tls=self.tls)
        self.addCleanup(self.https.stop)
        self.http = TestServer()
        self.addCleanup(self.http.stop)
        self.gpg = Gpg(os.path.join(self.root, "gnupg"))
        self.addCleanup(self.gpg.stop)
        self.env = dict(os.environ, SSL_CERT_FILE=self.ca)

    def pod(self, *args, **kw):
        kw.setdefault("env", self.env)
        return super().pod(*args, **kw)

    def start_discovery_servers(self, http=False):
        """Meta discovery asks the default ports: holds DiscoveryPorts for the test and
        starts self.disc on 127.0.0.1:443 (https) and, with http, self.disc_http on :80.
        Skips the test when they cannot listen there."""
        ports = DiscoveryPorts()
        ports.__enter__()
        self.addCleanup(ports.__exit__, None, None, None)
        try:
            self.disc = TestServer(tls=self.tls, port=443)
            self.addCleanup(self.disc.stop)
            if http:
                self.disc_http = TestServer(port=80)
                self.addCleanup(self.disc_http.stop)
        except OSError as e:
            self.skipTest("cannot listen on 127.0.0.1:%s for discovery: %s"
                          % ("443/80" if http else "443", e))

    def key_file(self, fpr):
        path = os.path.join(self.work, fpr + ".asc")
        with open(path, "wb") as f:
            f.write(self.gpg.export(fpr))
        return path

    def trust(self, fpr, prefix):
        args = ["--root"] if prefix is None else ["--prefix=" + prefix]
        return self.pod("trust", *args, "--skip-fingerprint-review", self.key_file(fpr), check=0)

    def signed_image(self, name, fpr, filename=None, **kw):
        """An ACI for name in the work dir signed by fpr; returns (path, signature path)."""
        path = os.path.join(self.work, filename or name.replace("/", "_") + ".aci")
        make_aci(path, name, **kw)
        return path, self.gpg.sign(fpr, path)

    def serve_image(self, server, path, url_path, with_signature=True, **kw):
        """Serves path (and path.asc) at url_path; returns the URL."""
        server.add(url_path, read(path), **kw)
        if with_signature:
            server.add(url_path + ".asc", read(path + ".asc"), content_type="text/plain")
        return server.url(url_path)

    def fetch_ok(self, *args):
        """Runs pod fetch --full, asserts success; returns the image IDs printed."""
        res = self.pod("fetch", "--full", *args, check=0)
        ids = res.stdout.split()
        for i in ids:
            self.assertRegex(i, r"^sha512-[0-9a-f]{128}$")
        return ids

    def fetch_fails(self, *args, expect=()):
        res = self.pod("fetch", *args, check=254)
        self.assertEqual(res.stdout, "", "nothing may be printed on stdout on failure")
        for text in expect:
            self.assertIn(text, res.stderr)
        return res
