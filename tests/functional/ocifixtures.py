"""OCI images made by the tests themselves, and a real registry to serve them.

- Layer / OciLayout: OCI image layouts written from Python (tar layers from the host's
  busybox-static, gzip/zstd/uncompressed, whiteouts, any config), as skopeo would read them.
- Registry: Debian's docker-registry on a free loopback port, in a private directory
  (optionally with htpasswd Basic auth); images are pushed into it with skopeo.
Nothing is ever pulled from the internet.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.request

BUSYBOX = "/bin/busybox"
REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
SKOPEO = shutil.which("skopeo")

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {"none": "application/vnd.oci.image.layer.v1.tar",
            "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layer:
    """A layer tar built entry by entry (paths relative, no leading '/')."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, path, kind, mode, uid=0, gid=0):
        ti = tarfile.TarInfo(path)
        ti.type = kind
        ti.mode = mode
        ti.uid, ti.gid = uid, gid
        ti.mtime = 1700000000
        return ti

    def dir(self, path, mode=0o755, uid=0, gid=0):
        self.tar.addfile(self._info(path, tarfile.DIRTYPE, mode, uid, gid))
        return self

    def file(self, path, data=b"", mode=0o644, uid=0, gid=0):
        if isinstance(data, str):
            data = data.encode()
        ti = self._info(path, tarfile.REGTYPE, mode, uid, gid)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))
        return self

    def symlink(self, path, target):
        ti = self._info(path, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def hardlink(self, path, target):
        ti = self._info(path, tarfile.LNKTYPE, 0o755)
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def whiteout(self, path):
        d, name = os.path.split(path)
        return self.file(os.path.join(d, ".wh." + name))

    def opaque(self, dirpath):
        return self.file(os.path.join(dirpath, ".wh..wh..opq"))

    def busybox(self, applets=("sh", "cat", "ls", "echo", "id", "pwd", "env", "sleep", "test", "stat", "true")):
        """bin/busybox and the applets as symlinks to it, plus a minimal /etc."""
        with open(BUSYBOX, "rb") as f:
            self.dir("bin").file("bin/busybox", f.read(), 0o755)
        for a in applets:
            self.symlink("bin/" + a, "busybox")
        self.dir("etc")
        self.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                  "app:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/sh\n")
        self.file("etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\nmore:x:2001:app,root\n")
        self.dir("tmp", 0o1777)
        return self

    def tar_bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def compress(data, how):
    if how == "none":
        return data
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    raise ValueError(how)


class OciLayout:
    """An OCI image layout directory; add images with add_image()."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": []}
        self._write_index()

    def blob(self, data):
        d = sha256(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    def blob_path(self, digest):
        return os.path.join(self.path, "blobs", "sha256", digest[7:])

    def _write_index(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(self.index, f)

    def image_manifest(self, layers, config=None, compression="gzip", arch="amd64", variant=None):
        """Writes layers, config and manifest blobs; returns (manifest descriptor, config digest)."""
        descs, diff_ids = [], []
        for layer in layers:
            raw = layer.tar_bytes() if isinstance(layer, Layer) else layer
            diff_ids.append(sha256(raw))
            data = compress(raw, compression)
            descs.append({"mediaType": MT_LAYER[compression], "digest": self.blob(data), "size": len(data)})
        cfg = {"architecture": arch, "os": "linux", "config": config or {},
               "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        if variant:
            cfg["variant"] = variant
        cfg_bytes = json.dumps(cfg).encode()
        manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
                    "config": {"mediaType": MT_CONFIG, "digest": self.blob(cfg_bytes), "size": len(cfg_bytes)},
                    "layers": descs}
        mbytes = json.dumps(manifest).encode()
        desc = {"mediaType": MT_MANIFEST, "digest": self.blob(mbytes), "size": len(mbytes)}
        return desc, sha256(cfg_bytes)

    def add(self, ref, desc):
        desc = dict(desc)
        desc["annotations"] = {"org.opencontainers.image.ref.name": ref}
        self.index["manifests"].append(desc)
        self._write_index()
        return desc["digest"]

    def add_image(self, ref, layers, config=None, compression="gzip"):
        """One image under ref; returns its manifest digest."""
        desc, _ = self.image_manifest(layers, config, compression)
        return self.add(ref, desc)

    def add_index(self, ref, platforms):
        """A multi-platform index under ref: platforms = [(arch, variant, layers, config)]."""
        entries = []
        for arch, variant, layers, config in platforms:
            desc, _ = self.image_manifest(layers, config, arch=arch, variant=variant)
            desc["platform"] = {"os": "linux", "architecture": arch}
            if variant:
                desc["platform"]["variant"] = variant
            entries.append(desc)
        idx = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": entries}
        ibytes = json.dumps(idx).encode()
        return self.add(ref, {"mediaType": MT_INDEX, "digest": self.blob(ibytes), "size": len(ibytes)})


def busybox_layer():
    return Layer().busybox()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """docker-registry serving from root/ on 127.0.0.1:<free port>; stop() in cleanup."""

    def __init__(self, root, htpasswd_user=None):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.user = self.password = None
        auth = ""
        if htpasswd_user:
            self.user, self.password = htpasswd_user
            pw_file = os.path.join(root, "htpasswd")
            subprocess.run(["htpasswd", "-Bbc", pw_file, self.user, self.password],
                           check=True, capture_output=True)
            auth = "auth:\n  htpasswd:\n    realm: pod-test\n    path: %s\n" % pw_file
        config = os.path.join(root, "config.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n"
                    "  delete:\n    enabled: true\nhttp:\n  addr: %s\n%s" % (os.path.join(root, "data"), self.host, auth))
        self.log = open(os.path.join(root, "registry.log"), "w")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", config], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen("http://%s/v2/" % self.host, timeout=2)
                break
            except urllib.error.HTTPError:
                break  # 401: up, and asking for credentials
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("docker-registry did not start: " + open(self.log.name).read())
                time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.log.close()

    def push(self, layout_ref, name, sign_by=None, gpg_home=None, registries_d=None, all_images=False):
        """skopeo copy oci:LAYOUT:REF docker://HOST/NAME; returns skopeo's result."""
        argv = [SKOPEO, "copy", "--dest-tls-verify=false", "--quiet"]
        if self.user:
            argv.append("--dest-creds=%s:%s" % (self.user, self.password))
        if sign_by:
            argv.append("--sign-by=" + sign_by)
        if registries_d:
            argv.append("--registries.d=" + registries_d)
        if all_images:
            argv.append("--all")
        argv += ["oci:" + layout_ref, "docker://%s/%s" % (self.host, name)]
        env = dict(os.environ)
        if gpg_home:
            env["GNUPGHOME"] = gpg_home
        res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        if res.returncode != 0:
            raise AssertionError("skopeo %s failed: %s" % (" ".join(argv), res.stderr))
        return res


class BearerProxy:
    """A registry front that speaks the Bearer token flow the way Docker Hub does: /v2/
    answers 401 with `WWW-Authenticate: Bearer realm=.../token,service=...`; /token checks
    Basic credentials (or none, when anonymous pulls are allowed) and the requested scope,
    and hands out a token; requests with that token are passed on to the real registry."""

    def __init__(self, backend_host, user=None, password=None):
        import http.server
        import threading
        import secrets
        proxy = self
        self.backend = backend_host
        self.user, self.password = user, password
        self.token = secrets.token_hex(16)
        self.scopes = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                if self.path.startswith("/token"):
                    from urllib.parse import urlparse, parse_qs
                    q = parse_qs(urlparse(self.path).query)
                    proxy.scopes.append(q.get("scope", [""])[0])
                    if proxy.user:
                        want = "Basic " + base64.b64encode(("%s:%s" % (proxy.user, proxy.password)).encode()).decode()
                        if self.headers.get("Authorization") != want:
                            return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
                    return self._send(200, json.dumps({"token": proxy.token}).encode(),
                                      [("Content-Type", "application/json")])
                if self.headers.get("Authorization") != "Bearer " + proxy.token:
                    realm = "http://%s/token" % proxy.host
                    return self._send(401, b"{}", [("WWW-Authenticate",
                                                    'Bearer realm="%s",service="pod-test"' % realm)])
                req = urllib.request.Request("http://%s%s" % (proxy.backend, self.path),
                                             headers={k: v for k, v in self.headers.items()
                                                      if k.lower() in ("accept", "range")})
                try:
                    with urllib.request.urlopen(req) as r:
                        body = r.read()
                        hdrs = [(k, v) for k, v in r.getheaders()
                                if k.lower() in ("content-type", "docker-content-digest")]
                        return self._send(r.status, body, hdrs)
                except urllib.error.HTTPError as e:
                    return self._send(e.code, e.read())

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class CuttingProxy:
    """A registry front on loopback that breaks the first download of one blob: it answers
    200 with the blob's full Content-Length, sends `cut_at` bytes and drops the connection.
    Later requests (a resumed download's Range included) are passed on to the real
    registry and its answer (206 and Content-Range for a range) relayed; with
    corrupt_resume, one byte of a resumed answer is flipped. `requests` records
    (path, Range header) of every GET."""

    def __init__(self, backend_host, blob_digest, cut_at, corrupt_resume=False):
        import http.server
        import threading
        proxy = self
        self.requests = []
        self.cut_done = False

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _forward(self):
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("accept", "range", "authorization", "if-range")}
                req = urllib.request.Request("http://%s%s" % (backend_host, self.path),
                                             headers=headers, method=self.command)
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        return r.status, r.read(), r.getheaders()
                except urllib.error.HTTPError as e:
                    return e.code, e.read(), e.headers.items()

            def _relay(self, status, body, headers):
                self.send_response(status)
                for k, v in headers:
                    if k.lower() in ("content-type", "docker-content-digest", "content-range",
                                     "accept-ranges", "www-authenticate", "etag"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self._relay(*self._forward())

            def do_GET(self):
                rng = self.headers.get("Range")
                proxy.requests.append((self.path, rng))
                is_blob = self.path.endswith("/blobs/" + blob_digest)
                status, body, headers = self._forward()
                if is_blob and not proxy.cut_done and status == 200:
                    proxy.cut_done = True
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[:cut_at])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if is_blob and rng and corrupt_resume and status == 206 and body:
                    body = bytes([body[0] ^ 0xff]) + body[1:]
                self._relay(status, body, headers)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
