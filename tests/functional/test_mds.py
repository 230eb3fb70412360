"""The metadata service (`pod metadata-service`, `pod run --mds-register`) with real pods.

Each test starts its own service on a free TCP port and a private registration socket
(POD_MDS_SOCKET), so tests run beside each other and beside a system service. Pods run on
stage1-nspawn on the default network (ptp, 172.16.28.0/24): the apps reach the service at
the network's host-side gateway, the only traffic besides loopback. Apps query it with
busybox's wget. Every service and pod is stopped and collected even when a test fails.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import unittest
import urllib.error
import urllib.request

from podfixture import BUSYBOX_ACI, STAGE1_ACI, PodsTestCase
from podtest import BUILD_DIR, POD_BIN
from mdsfixture import free_port, skip_without_nspawn_networking, start_metadata_service, stop_process

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")
KVM_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-kvm.aci")
URL_RE = re.compile(r"^http://172\.16\.28\.1:(\d+)/([0-9a-f]{64})$")


class MdsTestCase(PodsTestCase):
    def setUp(self):
        skip_without_nspawn_networking(self)
        super().setUp()
        self.socket = os.path.join(self.root, "mds.sock")
        self.env = dict(os.environ, POD_MDS_SOCKET=self.socket)
        self.shared = os.path.join(self.root, "shared")
        os.mkdir(self.shared)

    def start_service(self):
        self.service, self.port = start_metadata_service(self, self.socket, debug=True)

    def service_log(self):
        with open(os.path.join(self.root, "mds.log")) as f:
            return f.read()

    def run_args(self, script, *extra):
        return ["run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI, "--net=default",
                "--mds-register", "--volume=shared,kind=host,source=" + self.shared] + list(extra) + [
                BUSYBOX_ACI, "--mount=volume=shared,target=/shared", "--exec=/bin/sh", "--", "-c", script]

    def run_script(self, script, *extra, check=None, timeout=120):
        return self.pod(*self.run_args(script, *extra), check=check, timeout=timeout, env=self.env)

    def spawn_script(self, script, name):
        """A pod in the background; returns (process, uuid)."""
        uuid_file = os.path.join(self.root, "uuid-" + name)
        argv = [POD_BIN] + self.global_flags() + self.run_args(script, "--uuid-file-save=" + uuid_file)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        self.children.append(proc)
        uuid = self.wait_for(lambda: self._read(uuid_file), "the UUID of pod " + name, timeout=60)
        return proc, uuid

    def shared_file(self, name, timeout=60):
        path = os.path.join(self.shared, name)
        return self.wait_for(lambda: self._read(path), name + " in the shared volume", timeout=timeout)

    def host_get(self, url):
        """The status a request from the host (127.0.0.1) gets."""
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code


# Fetches each endpoint; one "name: value" line each (wget's failure prints FAILED).
QUERY_SCRIPT = r'''
get() { wget -q -O - "$AC_METADATA_URL/acMetadata/v1/$1" || echo FAILED; }
echo "url: $AC_METADATA_URL"
echo "app: $AC_APP_NAME"
echo "uuid: $(get pod/uuid)"
echo "manifest: $(get pod/manifest | tr -d '\n')"
echo "pod-annotations: $(get pod/annotations | tr -d '\n')"
echo "image-id: $(get apps/busybox/image/id)"
echo "image-manifest: $(get apps/busybox/image/manifest | tr -d '\n')"
echo "app-annotations: $(get apps/busybox/annotations | tr -d '\n')"
echo "no-such-app: $(get apps/nope/image/id)"
sig=$(wget -q -O - --post-data='content=hello+world' "$AC_METADATA_URL/acMetadata/v1/pod/hmac/sign" || echo FAILED)
echo "sig: $sig"
enc=$(echo "$sig" | sed -e 's/+/%2B/g' -e 's#/#%2F#g' -e 's/=/%3D/g')
uuid=$(get pod/uuid)
wget -q -O - --post-data="content=hello+world&uuid=$uuid&signature=$enc" \
  "$AC_METADATA_URL/acMetadata/v1/pod/hmac/verify" >/dev/null && echo "verify: ok" || echo "verify: refused"
wget -q -O - --post-data="content=hello+there&uuid=$uuid&signature=$enc" \
  "$AC_METADATA_URL/acMetadata/v1/pod/hmac/verify" >/dev/null && echo "verify-other: ok" || echo "verify-other: refused"
'''


class ServiceTest(MdsTestCase):
    def test_mds_register_without_a_service_fails_clearly(self):
        res = self.run_script("true", check=254)
        self.assertIn("no metadata service is listening on " + self.socket, res.stderr)
        self.assertIn("pod metadata-service", res.stderr)
        self.assertEqual(self.pod_dirs("run") + self.pod_dirs("prepared") + self.pod_dirs("embryo"), [])  # no pod left

    def test_mds_register_needs_a_pod_network(self):
        res = self.pod("run", "--insecure-options=image", "--net=host", "--mds-register", BUSYBOX_ACI,
                       "--exec=/bin/true", check=254, env=self.env)
        self.assertIn("--mds-register needs a pod network", res.stderr)

    def test_a_second_service_on_the_same_socket_is_refused(self):
        self.start_service()
        res = self.pod("metadata-service", "--listen-port=%d" % free_port(), "--socket=" + self.socket,
                       check=254, globals=False)
        self.assertIn("another metadata service is listening on " + self.socket, res.stderr)

    def test_bad_flags_and_a_busy_port_fail_clearly(self):
        res = self.pod("metadata-service", "--listen-port=99999", check=254, globals=False)
        self.assertIn("--listen-port \"99999\": expected a port number", res.stderr)
        res = self.pod("metadata-service", "--frobnicate", check=254, globals=False)
        self.assertIn('unknown argument "--frobnicate"', res.stderr)
        with socket.socket() as busy:
            busy.bind(("0.0.0.0", 0))
            busy.listen()
            port = busy.getsockname()[1]
            res = self.pod("metadata-service", "--listen-port=%d" % port, "--socket=" + self.socket, check=254,
                           globals=False)
        self.assertIn("binding TCP port %d" % port, res.stderr)
        self.assertIn("choose another --listen-port", res.stderr)
        self.assertFalse(os.path.exists(self.socket))  # nothing left behind

    def test_run_prepared_registers_too(self):
        uuid = self.pod("prepare", "--quiet", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI, BUSYBOX_ACI,
                        "--exec=/bin/sh", "--", "-c", 'wget -q -O - "$AC_METADATA_URL/acMetadata/v1/pod/uuid"',
                        check=0).stdout.strip()
        res = self.pod("run-prepared", "--mds-register", "--net=host", uuid, check=254, env=self.env)
        self.assertIn("--mds-register needs a pod network", res.stderr)
        self.start_service()
        res = self.pod("run-prepared", "--mds-register", "--net=default", uuid, check=0, env=self.env)
        self.assertEqual(res.stdout.strip(), uuid)

    def test_stage1_kvm_apps_reach_it_from_the_guest(self):
        """The guest takes the pod's address on eth0, so the service tells the pod by it."""
        if not os.path.exists(KVM_ACI):
            self.skipTest("%s was not built (it needs qemu-system-x86, linux-image-amd64 and cpio)" % KVM_ACI)
        self.start_service()
        uuid_file = os.path.join(self.root, "uuid")
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + KVM_ACI, "--net=default",
                       "--mds-register", "--uuid-file-save=" + uuid_file, BUSYBOX_ACI, "--exec=/bin/sh", "--", "-c",
                       'echo "url: $AC_METADATA_URL"; echo "uuid: $(wget -q -O - $AC_METADATA_URL/acMetadata/v1/pod/uuid)"',
                       check=0, timeout=300, env=self.env)
        kv = self.parse_kv(res.stdout)
        m = URL_RE.match(kv.get("url", ""))
        self.assertTrue(m, res.stdout + res.stderr)
        self.assertEqual(int(m.group(1)), self.port)
        self.assertEqual(kv["uuid"], self._read(uuid_file))

    def test_fly_is_exempt(self):
        """fly shares the host's network: the service could not tell its apps from the host's,
        so a fly pod runs without AC_METADATA_URL (Documentation/conformance.md)."""
        self.start_service()
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI, "--mds-register",
                       BUSYBOX_ACI, "--exec=/bin/sh", "--", "-c", 'echo "url=[$AC_METADATA_URL]"', check=0,
                       env=self.env)
        self.assertIn("url=[]", res.stdout)

    def test_systemd_socket_activation(self):
        """Both sockets from systemd (LISTEN_FDS): the unix one registers, the TCP one serves."""
        if not shutil.which("systemd-socket-activate"):
            self.skipTest("systemd-socket-activate is not installed (Debian package systemd)")
        self.port = free_port()
        binary = os.path.join(BUILD_DIR, "mds", "pod-metadata-service")
        # It starts the service at the first connection, on the sockets it made.
        self.service = subprocess.Popen(["systemd-socket-activate", "-l", self.socket, "-l", "0.0.0.0:%d" % self.port,
                                         binary], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(stop_process, self.service)
        self.wait_for(lambda: os.path.exists(self.socket), "systemd-socket-activate's socket")
        res = self.run_script('echo "url: $AC_METADATA_URL"; echo "uuid: $(wget -q -O - $AC_METADATA_URL/acMetadata/v1/pod/uuid)"',
                              "--uuid-file-save=" + os.path.join(self.root, "uuid"), check=0)
        kv = self.parse_kv(res.stdout)
        m = URL_RE.match(kv.get("url", ""))
        self.assertTrue(m, res.stdout + res.stderr)
        self.assertEqual(int(m.group(1)), self.port)  # the port of systemd's TCP socket
        self.assertEqual(kv["uuid"], self._read(os.path.join(self.root, "uuid")))

    def test_every_endpoint_from_inside_the_pod(self):
        self.start_service()
        res = self.run_script(QUERY_SCRIPT, "--uuid-file-save=" + os.path.join(self.root, "uuid"), check=0)
        kv = self.parse_kv(res.stdout)
        uuid = self._read(os.path.join(self.root, "uuid"))
        m = URL_RE.match(kv.get("url", ""))
        self.assertTrue(m, res.stdout + res.stderr)
        self.assertEqual(int(m.group(1)), self.port)
        self.assertEqual(kv["app"], "busybox")
        self.assertEqual(kv["uuid"], uuid)
        manifest = json.loads(kv["manifest"])
        self.assertEqual(manifest["acKind"], "PodManifest")
        self.assertEqual(manifest, self.pod_json("cat-manifest", uuid))
        self.assertEqual(json.loads(kv["pod-annotations"]), manifest.get("annotations"))  # null when none
        self.assertEqual(kv["image-id"], manifest["apps"][0]["image"]["id"])
        self.assertEqual(json.loads(kv["image-manifest"])["name"], "pod.dev/busybox")
        self.assertIsInstance(json.loads(kv["app-annotations"]), list)
        self.assertEqual(kv["no-such-app"], "FAILED")
        self.assertEqual(len(kv["sig"]), 88, kv)  # base64 of 64 bytes
        self.assertEqual(kv["verify"], "ok")
        self.assertEqual(kv["verify-other"], "refused")
        # Once the pod has exited, its token is unknown.
        self.assertEqual(self.host_get("http://127.0.0.1:%d/%s/acMetadata/v1/pod/uuid" % (self.port, m.group(2))), 401)

    def test_pods_cannot_read_or_sign_as_each_other(self):
        self.start_service()
        # A: publishes its URL, UUID and a signature, then waits.
        a_proc, a_uuid = self.spawn_script(
            'echo "$AC_METADATA_URL" > /shared/a-url.tmp && mv /shared/a-url.tmp /shared/a-url; '
            'wget -q -O /shared/a-sig.tmp --post-data="content=from+a" "$AC_METADATA_URL/acMetadata/v1/pod/hmac/sign" '
            '&& mv /shared/a-sig.tmp /shared/a-sig; '
            'while [ ! -e /shared/done ]; do sleep 0.1; done', "a")
        a_url = self.shared_file("a-url")
        a_sig = self.shared_file("a-sig")
        token_a = URL_RE.match(a_url).group(2)
        # From the host (another address), A's token gets nothing.
        self.assertEqual(self.host_get("http://127.0.0.1:%d/%s/acMetadata/v1/pod/uuid" % (self.port, token_a)), 403)
        self.assertEqual(self.host_get("http://127.0.0.1:%d/%s/acMetadata/v1/pod/uuid" % (self.port, "0" * 64)), 401)
        enc = urllib.request.quote(a_sig, safe="")
        b_script = r'''
a_url=$(cat /shared/a-url)
wget -q -O - "$a_url/acMetadata/v1/pod/uuid" >/dev/null 2>&1 && echo "read-a: ok" || echo "read-a: refused"
wget -q -O - "$a_url/acMetadata/v1/pod/hmac/sign" --post-data="content=x" >/dev/null 2>&1 && echo "sign-as-a: ok" || echo "sign-as-a: refused"
v() { wget -q -O /dev/null --post-data="$1" "$AC_METADATA_URL/acMetadata/v1/pod/hmac/verify" 2>/dev/null && echo ok || echo refused; }
echo "a-sig-for-a: $(v "content=from+a&uuid=%(a)s&signature=%(sig)s")"
echo "a-sig-for-b: $(v "content=from+a&uuid=$(wget -q -O - $AC_METADATA_URL/acMetadata/v1/pod/uuid)&signature=%(sig)s")"
echo "a-sig-other-content: $(v "content=from+b&uuid=%(a)s&signature=%(sig)s")"
echo "forged: $(v "content=from+a&uuid=%(a)s&signature=%(forged)s")"
''' % {"a": a_uuid, "sig": enc, "forged": urllib.request.quote("A" * 86 + "==", safe="")}
        res = self.run_script(b_script, check=0)
        kv = self.parse_kv(res.stdout)
        self.assertEqual(kv.get("read-a"), "refused", res.stdout + res.stderr)
        self.assertEqual(kv["sign-as-a"], "refused")
        self.assertEqual(kv["a-sig-for-a"], "ok")  # another pod verifies A's genuine signature
        self.assertEqual(kv["a-sig-for-b"], "refused")
        self.assertEqual(kv["a-sig-other-content"], "refused")
        self.assertEqual(kv["forged"], "refused")
        open(os.path.join(self.shared, "done"), "w").close()
        a_proc.communicate(timeout=60)
        self.assertEqual(a_proc.returncode, 0)

    def test_pods_come_and_go(self):
        """A long-lived pod keeps being served while short pods register and exit."""
        self.start_service()
        keeper, keeper_uuid = self.spawn_script(
            'while [ ! -e /shared/done ]; do wget -q -O /shared/k.tmp "$AC_METADATA_URL/acMetadata/v1/pod/uuid" '
            '&& mv /shared/k.tmp /shared/keeper-uuid; sleep 0.2; done', "keeper")
        self.assertEqual(self.shared_file("keeper-uuid"), keeper_uuid)
        uuids = []
        for i in range(6):
            uuid_file = os.path.join(self.root, "churn-%d" % i)
            res = self.run_script('wget -q -O - "$AC_METADATA_URL/acMetadata/v1/pod/uuid"', "--uuid-file-save=" + uuid_file,
                                  check=0)
            uuids.append(self._read(uuid_file))
            self.assertEqual(res.stdout.strip(), uuids[-1])
        # Each short pod was unregistered once it had exited (the service looks every second).
        self.wait_for(lambda: all("pod %s has exited; unregistered" % u in self.service_log() for u in uuids),
                      "the short pods to be unregistered", timeout=15)
        os.remove(os.path.join(self.shared, "keeper-uuid"))
        self.assertEqual(self.shared_file("keeper-uuid"), keeper_uuid)
        open(os.path.join(self.shared, "done"), "w").close()
        keeper.communicate(timeout=60)
        self.assertEqual(keeper.returncode, 0)
        self.assertIsNone(self.service.poll())


if __name__ == "__main__":
    unittest.main()
