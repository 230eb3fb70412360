"""A real HTTP(S) server on loopback for fetch and trust tests.

Serves images, signatures, discovery pages and keys from memory, over plain http
and over https with a certificate from a test CA made here with `openssl` (pod is
pointed at the CA by SSL_CERT_FILE). Each resource can fail with 500 a number of
times first, require basic or bearer auth, send an ETag (answering 304 to a
matching If-None-Match) and a Cache-Control header. Every request is logged so a
test can tell a download from a cache hit.
"""
import base64
import fcntl
import http.server
import os
import socket
import ssl
import subprocess
import threading


class Resource:
    def __init__(self, body, content_type="application/octet-stream", etag=None,
                 cache_control=None, fail_times=0, auth=None, status=200, location=None,
                 cut_after=None, cut_times=0):
        self.body = body if isinstance(body, bytes) else body.encode()
        self.content_type = content_type
        self.etag = etag
        self.cache_control = cache_control
        self.fail_times = fail_times  # answer 500 this many times first
        self.auth = auth  # None, ("basic", user, password) or ("bearer", token)
        self.status = status
        self.location = location  # with status 301/302/307/308: where to go
        # Break the connection after cut_after bytes of the body, cut_times times.
        self.cut_after = cut_after
        self.cut_times = cut_times


class RequestRecord:
    def __init__(self, method, path, headers, status):
        self.method = method
        self.path = path
        self.headers = headers
        self.status = status


def make_test_ca(directory):
    """Makes a CA and a server certificate for 127.0.0.1, ::1 and localhost.

    Returns (ca_cert_path, server_cert_path, server_key_path)."""
    os.makedirs(directory, exist_ok=True)
    ca_key = os.path.join(directory, "ca.key")
    ca_crt = os.path.join(directory, "ca.crt")
    key = os.path.join(directory, "server.key")
    csr = os.path.join(directory, "server.csr")
    crt = os.path.join(directory, "server.crt")
    ext = os.path.join(directory, "server.ext")
    def run(*argv):
        subprocess.run(argv, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
        "-out", ca_crt, "-days", "2", "-subj", "/CN=pod test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
        "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
    return ca_crt, crt, key


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the request log replaces stderr chatter
        pass

    def do_GET(self):
        self.server.owner._handle(self)

    def do_HEAD(self):
        self.server.owner._handle(self, head=True)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class TestServer:
    """One server (http or https) on 127.0.0.1; use as a context manager or stop()."""

    def __init__(self, tls=None, port=0, host="127.0.0.1"):
        """tls: (cert, key) for https, None for plain http."""
        self.resources = {}
        self.requests = []
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self.tls = tls is not None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    @property
    def base(self):
        scheme = "https" if self.tls else "http"
        port = "" if (self.tls and self.port == 443) or (not self.tls and self.port == 80) \
            else ":%d" % self.port
        return "%s://127.0.0.1%s" % (scheme, port)

    def url(self, path):
        return self.base + path

    def add(self, path, body, **kw):
        """Serves body at path (the query string, if any, is part of the match)."""
        res = Resource(body, **kw)
        with self._lock:
            self.resources[path] = res
        return res

    def remove(self, path):
        with self._lock:
            self.resources.pop(path, None)

    def requests_for(self, path, status=None):
        with self._lock:
            return [r for r in self.requests
                    if r.path == path and (status is None or r.status == status)]

    def downloads_of(self, path):
        """How many times the body of path was sent (200 answers to GET)."""
        return len([r for r in self.requests_for(path, status=200) if r.method == "GET"])

    def clear_log(self):
        with self._lock:
            self.requests.clear()

    def _authorized(self, res, handler):
        if res.auth is None:
            return True
        got = handler.headers.get("Authorization", "")
        if res.auth[0] == "basic":
            want = "Basic " + base64.b64encode(
                ("%s:%s" % (res.auth[1], res.auth[2])).encode()).decode()
        else:
            want = "Bearer " + res.auth[1]
        return got == want

    def _handle(self, handler, head=False):
        path = handler.path
        with self._lock:
            res = self.resources.get(path)
            status = 200
            if res is None:
                status = 404
            elif not self._authorized(res, handler):
                status = 401
            elif res.fail_times > 0:
                res.fail_times -= 1
                status = 500
            elif res.etag and handler.headers.get("If-None-Match") == res.etag:
                status = 304
            else:
                status = res.status
            # Ranges ("bytes=N-" only), honoured when If-Range, if sent, names the ETag.
            start = 0
            rng = handler.headers.get("Range", "")
            if_range = handler.headers.get("If-Range")
            if status == 200 and rng.startswith("bytes=") and rng.endswith("-") and \
                    res.etag and (if_range is None or if_range == res.etag):
                start = int(rng[len("bytes="):-1])
                status = 206
            cut = None
            if status in (200, 206) and res.cut_times > 0 and res.cut_after is not None:
                res.cut_times -= 1
                cut = res.cut_after
            self.requests.append(RequestRecord(handler.command, path,
                                               dict(handler.headers.items()), status))
        body = b""
        if status == 200:
            body = res.body
        elif status == 206:
            body = res.body[start:]
        elif status in (404, 500, 401):
            body = ("%d\n" % status).encode()
        handler.send_response(status)
        if res is not None and res.location and status in (301, 302, 303, 307, 308):
            handler.send_header("Location", res.location)
        if status == 401:
            kind = "Basic" if res.auth[0] == "basic" else "Bearer"
            handler.send_header("WWW-Authenticate", '%s realm="pod-test"' % kind)
        if status == 206:
            handler.send_header("Content-Range", "bytes %d-%d/%d" % (
                start, len(res.body) - 1, len(res.body)))
        if res is not None and status in (200, 206, 304):
            if res.etag:
                handler.send_header("ETag", res.etag)
            if res.cache_control:
                handler.send_header("Cache-Control", res.cache_control)
        handler.send_header("Content-Type", res.content_type if res and status in (200, 206)
                            else "text/plain")
        handler.send_header("Content-Length", str(len(body)) if status != 304 else "0")
        handler.end_headers()
        if not head and status != 304:
            try:
                if cut is not None:
                    handler.wfile.write(body[:cut])
                    handler.wfile.flush()
                    handler.close_connection = True  # the rest never comes
                    return
                handler.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass


class DiscoveryPorts:
    """Meta discovery asks https://NAME?ac-discovery=1 on the default port, so the
    discovery servers must own 127.0.0.1:443 (and :80 for http). This lock keeps the
    test files that need them from running those servers at the same time."""

    LOCK_PATH = "/tmp/pod-test-discovery-ports.lock"

    def __enter__(self):
        self._f = open(self.LOCK_PATH, "w")
        fcntl.flock(self._f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._f, fcntl.LOCK_UN)
        self._f.close()


def closed_port():
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def discovery_page(tags):
    """An HTML page with meta tags: tags is a list of (kind, prefix, url)."""
    metas = "\n".join('    <meta name="%s" content="%s %s">' % t for t in tags)
    return "<!DOCTYPE html>\n<html><head>\n%s\n</head><body></body></html>\n" % metas
