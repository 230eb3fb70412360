"""Networks of real pods (stage1-nspawn): --net=default|none|NAME, --port, and that
neither a stopped pod nor a hundred `kill -9`ed runs followed by `pod gc` leave a network
namespace, veth, IPAM lease or iptables rule behind.

Traffic goes only to loopback and to the pods' own addresses (inside the network
namespaces these tests create). The named network has a unique name and subnet in the
test's private net.d, so the tests run beside others.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import time
import unittest
import uuid

from podfixture import PodsTestCase, IMAGES_DIR
from podtest import BUILD_DIR, POD_BIN
from httpfixtures import build_httpd_aci, http_get

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")
LEASES = "/var/lib/cni/networks"
KILL_RUNS = int(os.environ.get("POD_NET_KILL_RUNS", "100"))
KILL_BUDGET_S = float(os.environ.get("POD_NET_KILL_BUDGET_S", "150"))


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def leftovers(pod_uuid):
    """What a pod may leave behind on the host, as text (empty when nothing)."""
    found = []
    netns = "/run/pod/netns/" + pod_uuid
    if os.path.exists(netns):
        found.append(netns)
    with open("/proc/self/mountinfo") as f:
        if pod_uuid in f.read():
            found.append("a mount of " + pod_uuid)
    for table in ("nat", "filter"):
        rules = subprocess.run(["iptables", "-w", "-t", table, "-S"], capture_output=True,
                               text=True).stdout
        found += [r for r in rules.splitlines() if pod_uuid in r]
    if os.path.isdir(LEASES):
        for net in os.listdir(LEASES):
            d = os.path.join(LEASES, net)
            for name in os.listdir(d):
                try:
                    with open(os.path.join(d, name)) as f:
                        if f.read().startswith(pod_uuid):
                            found.append("lease %s/%s" % (net, name))
                except (IsADirectoryError, PermissionError, FileNotFoundError):
                    pass
    return found


def cni_processes_of(pod_uuids):
    """Pids of processes (CNI plugins and what they run) working for one of the pods."""
    wanted = {("CNI_CONTAINERID=" + u).encode() for u in pod_uuids}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = set(f.read().split(b"\0"))
        except OSError:
            continue
        if env & wanted:
            found.append(int(pid))
    return found


def host_routes_to(prefix):
    """ptp routes each pod address through its host-side veth: a route left is a veth left."""
    routes = subprocess.run(["ip", "-o", "-4", "route"], capture_output=True, text=True).stdout
    return [r for r in routes.splitlines() if r.startswith(prefix + ".")]


class NetPodsTestCase(PodsTestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")
        if not os.path.exists(NSPAWN_ACI):
            self.skipTest("%s is not built (target stage1_nspawn_aci)" % NSPAWN_ACI)
        if not os.path.exists("/usr/lib/cni/ptp"):
            self.skipTest("apt-get install containernetworking-plugins")
        if not shutil.which("systemd-nspawn"):
            self.skipTest("apt-get install systemd-container")
        super().setUp()
        self.net = "nettest-" + uuid.uuid4().hex[:8]
        self.prefix = "10.%d.%d" % (random.randint(200, 250), random.randint(0, 254))
        os.makedirs(os.path.join(self.local_config, "net.d"))
        with open(os.path.join(self.local_config, "net.d", "10-test.conf"), "w") as f:
            json.dump({"cniVersion": "1.0.0", "name": self.net, "type": "ptp", "ipMasq": True,
                       "ipam": {"type": "host-local", "subnet": self.prefix + ".0/24"}}, f)
        self.addCleanup(shutil.rmtree, os.path.join(LEASES, self.net), True)
        self.httpd_aci = build_httpd_aci(self, "pod.dev/nettest-httpd", "hello from the pod\n",
                                         ports=[{"name": "http", "protocol": "tcp", "port": 8080}])

    def nspawn_run(self, *args, image=None, check=None, timeout=120):
        return self.pod("run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
                        image or os.path.join(IMAGES_DIR, "busybox.aci"), *args,
                        check=check, timeout=timeout)

    def spawn_nspawn(self, *args, image, quiet=False):
        uuid_file = os.path.join(self.root, "uuid-%d" % len(self.children))
        argv = [POD_BIN] + self.global_flags() + [
            "run", "--insecure-options=image", "--stage1-path=" + NSPAWN_ACI,
            "--uuid-file-save=" + uuid_file] + list(args) + [image]
        # quiet: a killed run's sandbox may outlive it, holding pipes open
        out = subprocess.DEVNULL if quiet else subprocess.PIPE
        proc = subprocess.Popen(argv, stdout=out, stderr=out, text=True)
        self.children.append(proc)
        pod_uuid = self.wait_for(lambda: self._read(uuid_file), "the pod's UUID file", timeout=60)
        return proc, pod_uuid

    def test_http_on_the_default_network_and_a_published_port(self):
        host_port = free_port()
        proc, pod_uuid = self.spawn_nspawn("--net=default",
                                           "--port=http:127.0.0.1:%d" % host_port,
                                           image=self.httpd_aci)
        status = self.wait_for(lambda: (self.status_json(pod_uuid).get("networks") or None),
                               "the pod's networks", timeout=60)
        [net] = status
        self.assertEqual(net["netName"], "default")
        self.assertTrue(net["ip"].startswith("172.16.28."), net)
        self.assertEqual(http_get("http://%s:8080/hello" % net["ip"]), "hello from the pod\n")
        self.assertEqual(http_get("http://127.0.0.1:%d/hello" % host_port), "hello from the pod\n")
        text = self.pod("status", pod_uuid, check=0).stdout
        self.assertIn("networks=default:ip4=" + net["ip"], text)
        listing = self.pod("list", "--full", check=0).stdout
        self.assertIn("default:ip4=" + net["ip"], listing)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(leftovers(pod_uuid), [])

    def test_none_has_only_loopback(self):
        res = self.nspawn_run("--net=none", "--exec=/bin/ip", "--", "-o", "link", check=0)
        links = res.stdout.strip().splitlines()
        self.assertEqual(len(links), 1, res.stdout)
        self.assertIn("lo:", links[0])

    def test_port_is_refused_without_a_pod_network(self):
        # host: the apps listen on the host's addresses already; none: nothing to publish on.
        # Refused before the sandbox starts.
        for net, why in (("host", "the pod has --net=host"), ("none", "the pod has --net=none")):
            with self.subTest(net=net):
                res = self.nspawn_run("--net=" + net, "--port=http:127.0.0.1:%d" % free_port(),
                                      image=self.httpd_aci, check=254)
                self.assertIn("--port needs a pod network", res.stderr)
                self.assertIn(why, res.stderr)
                self.assertIn("--net=default", res.stderr)

    def test_none_pod_namespace_is_released(self):
        # --net=none gets its namespace from the network set-up too (with only loopback):
        # the run releases it, and the pod's net-info record with it.
        uuid_file = os.path.join(self.root, "none-uuid")
        self.nspawn_run("--net=none", "--uuid-file-save=" + uuid_file, "--exec=/bin/true", check=0)
        pod_uuid = self._read(uuid_file).strip()
        self.assertEqual(leftovers(pod_uuid), [])

    def test_named_networks_from_local_and_system_config(self):
        # The system config's network reaches stage1 through stage0's --system-config.
        sysnet = "nettest-sys-" + uuid.uuid4().hex[:6]
        sysprefix = "10.%d.%d" % (random.randint(200, 250), random.randint(0, 254))
        os.makedirs(os.path.join(self.system_config, "net.d"))
        with open(os.path.join(self.system_config, "net.d", "10-sys.conf"), "w") as f:
            json.dump({"cniVersion": "1.0.0", "name": sysnet, "type": "ptp",
                       "ipam": {"type": "host-local", "subnet": sysprefix + ".0/24"}}, f)
        self.addCleanup(shutil.rmtree, os.path.join(LEASES, sysnet), True)
        res = self.nspawn_run("--net=%s,%s" % (self.net, sysnet), "--exec=/bin/ip", "--", "-o",
                              "-4", "addr", check=0)
        self.assertRegex(res.stdout, r"eth0\s+inet %s\.\d+/24" % self.prefix.replace(".", r"\."))
        self.assertRegex(res.stdout, r"eth1\s+inet %s\.\d+/24" % sysprefix.replace(".", r"\."))

    def test_conflist_chains_debians_plugins(self):
        # A CNI configuration list: ptp (with host-local) then tuning, which sets eth0's MTU
        # on the interface ptp made; gc-free release of both when the run ends.
        chain = "nettest-chain-" + uuid.uuid4().hex[:6]
        prefix = "10.%d.%d" % (random.randint(200, 250), random.randint(0, 254))
        with open(os.path.join(self.local_config, "net.d", "20-chain.conflist"), "w") as f:
            json.dump({"cniVersion": "1.0.0", "name": chain, "plugins": [
                {"type": "ptp", "ipam": {"type": "host-local", "subnet": prefix + ".0/24"}},
                {"type": "tuning", "mtu": 1280}]}, f)
        self.addCleanup(shutil.rmtree, os.path.join(LEASES, chain), True)
        uuid_file = os.path.join(self.root, "chain-uuid")
        res = self.nspawn_run("--net=" + chain, "--uuid-file-save=" + uuid_file, "--exec=/bin/ip",
                              "--", "-o", "addr", "show", "eth0", check=0)
        self.assertRegex(res.stdout, r"eth0\s+inet %s\.\d+/24" % prefix.replace(".", r"\."))
        link = self.nspawn_run("--net=" + chain, "--exec=/bin/ip", "--", "-o", "link", "show",
                               "eth0", check=0)
        self.assertIn("mtu 1280", link.stdout)
        self.assertEqual(leftovers(self._read(uuid_file).strip()), [])
        self.assertEqual(host_routes_to(prefix), [])

    def test_unknown_network_lists_the_networks(self):
        res = self.nspawn_run("--net=nosuchnet", "--exec=/bin/true", check=254)
        self.assertIn('unknown network "nosuchnet"', res.stderr)
        self.assertIn(self.net, res.stderr)

    def test_kill9_runs_then_gc_leave_nothing(self):
        uuids = []
        deadline = time.time() + KILL_BUDGET_S
        for i in range(KILL_RUNS):
            if time.time() > deadline:
                break
            proc, pod_uuid = self.spawn_nspawn("--net=" + self.net, image=self.httpd_aci,
                                               quiet=True)
            uuids.append(pod_uuid)
            # Killed at varying points of set-up and while running.
            time.sleep(random.uniform(0, 0.6))
            proc.kill()
            proc.wait(timeout=30)
        self.assertGreaterEqual(len(uuids), min(KILL_RUNS, 10), "too few runs in the budget")
        # The kills did leave networks for gc to release (not only runs killed too early).
        import glob
        with_networks = [u for u in uuids
                         if glob.glob(os.path.join(self.data_dir, "pods", "*", u, "net-setup.json"))]
        self.assertTrue(with_networks, "no killed run had set up its network")
        # A CNI plugin (and the iptables it runs) that a killed run had started finishes on
        # its own, holding the pod's lock (inherited) until then: gc rightly takes that pod
        # for a running one. Under load (iptables waiting for the xtables lock other tests
        # hold) that outlived the last runs, so the test waits for those to end first.
        self.wait_for(lambda: not cni_processes_of(uuids), "the killed runs' CNI plugins to end",
                      timeout=120)
        # No help: pod gc alone must deal with what the killed runs left running.
        self.pod("gc", "--grace-period=0s", check=0, timeout=600)
        for pod_uuid in uuids:
            self.assertEqual(leftovers(pod_uuid), [], pod_uuid)
        leases = os.path.join(LEASES, self.net)
        if os.path.isdir(leases):
            self.assertEqual([l for l in os.listdir(leases) if l.startswith(self.prefix)], [])
        self.assertEqual(host_routes_to(self.prefix), [])


if __name__ == "__main__":
    unittest.main()
