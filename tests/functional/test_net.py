"""CNI networking of the namespaced flavors, driven without a flavor.

pod-net-driver calls setup_pod_network/teardown_pod_network (stage1/common/net) on a
temporary pod directory, the way the nspawn run and gc entrypoints do, in a private
mount namespace with POD_HOST_MNTNS_FD as stage0 sets it. The tests use the real CNI
plugins of Debian's containernetworking-plugins, a network of their own (a unique name
and subnet in a private net.d, so they can run beside other tests), send traffic only
into the network namespaces they create, and check that nothing is left: no network
namespace, veth, IPAM lease or iptables rule.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import unittest
import uuid

from podtest import BUILD_DIR, require_root
from httpfixtures import http_get

DRIVER = os.path.join(BUILD_DIR, "stage1", "common", "net", "pod-net-driver")
CNI_DIR = "/usr/lib/cni"
LEASES = "/var/lib/cni/networks"


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NetTestCase(unittest.TestCase):
    def setUp(self):
        require_root(self)
        if not os.path.exists(DRIVER):
            self.fail("pod-net-driver is not built at %s (run through ctest)" % DRIVER)
        for plugin in ("ptp", "host-local", "portmap", "loopback"):
            if not os.access(os.path.join(CNI_DIR, plugin), os.X_OK):
                raise unittest.SkipTest("CNI plugin %s missing: apt-get install "
                                        "containernetworking-plugins" % plugin)
        if not shutil.which("iptables") or not shutil.which("nsenter"):
            raise unittest.SkipTest("needs iptables and nsenter")
        self.root = tempfile.mkdtemp(prefix="pod-nettest-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.local = os.path.join(self.root, "etc")
        self.system = os.path.join(self.root, "usrlib")
        tag = uuid.uuid4().hex[:8]
        self.net = "nettest-" + tag
        self.subnet_prefix = "10.%d.%d" % (random.randint(200, 250), random.randint(0, 254))
        self.write_conf(self.local, self.net, self.subnet_prefix)
        self.pods = []
        self.nets = [self.net]
        self.addCleanup(self.cleanup)

    # -- fixtures ------------------------------------------------------------------

    def write_conf(self, base, name, prefix, extra=None, filename=None):
        conf = {"cniVersion": "1.0.0", "name": name, "type": "ptp", "ipMasq": True,
                "ipam": {"type": "host-local", "subnet": prefix + ".0/24",
                         "routes": [{"dst": "0.0.0.0/0"}]}}
        conf.update(extra or {})
        os.makedirs(os.path.join(base, "net.d"), exist_ok=True)
        with open(os.path.join(base, "net.d", filename or ("10-%s.conf" % name)), "w") as f:
            json.dump(conf, f)

    def make_pod(self, ports=(), app_ports=()):
        """A pod directory with one app "web"; returns (dir, uuid)."""
        pod_uuid = str(uuid.uuid4())
        d = os.path.join(self.root, "pod-" + pod_uuid)
        os.makedirs(os.path.join(d, "appsinfo", "web"))
        manifest = {"acKind": "PodManifest", "acVersion": "0.8.11",
                    "apps": [{"name": "web", "image": {"id": "sha512-" + "a" * 64}}],
                    "ports": [dict(p) for p in ports]}
        with open(os.path.join(d, "pod"), "w") as f:
            json.dump(manifest, f)
        image = {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/web",
                 "app": {"exec": ["/web"], "user": "0", "group": "0",
                         "ports": [dict(p) for p in app_ports]}}
        with open(os.path.join(d, "appsinfo", "web", "manifest"), "w") as f:
            json.dump(image, f)
        self.pods.append((d, pod_uuid))
        return d, pod_uuid

    def driver(self, *args, check=None, timeout=60):
        res = subprocess.run([DRIVER] + list(args), capture_output=True, text=True,
                             timeout=timeout)
        if check is not None:
            self.assertEqual(res.returncode, check, "driver %s: %s" % (args, res.stderr))
        return res

    def setup_net(self, d, pod_uuid, *nets, check=0):
        args = ["setup", d, pod_uuid, "--private-mount-ns",
                "--local-config=" + self.local, "--system-config=" + self.system]
        args += ["--net=" + n for n in nets]
        res = self.driver(*args, check=check)
        return json.loads(res.stdout) if res.returncode == 0 else res

    def teardown_net(self, d, check=0):
        return self.driver("teardown", d, "--private-mount-ns", check=check)

    def record(self, d):
        with open(os.path.join(d, "net-setup.json")) as f:
            return json.load(f)

    def no_records(self, d):
        for name in ("net-info.json", "net-setup.json"):
            self.assertFalse(os.path.exists(os.path.join(d, name)), name + " is left")

    def host_veths(self, d):
        """Host-side interface names from the CNI results in net-setup.json."""
        names = []
        for n in self.record(d)["networks"]:
            for call in n["plugins"]:
                for itf in (call.get("result") or {}).get("interfaces", []):
                    if "sandbox" not in itf:
                        names.append(itf["name"])
        return names

    def cleanup(self):
        for d, pod_uuid in self.pods:
            if os.path.exists(os.path.join(d, "net-setup.json")):
                subprocess.run([DRIVER, "teardown", d], capture_output=True, timeout=60)
            path = "/run/pod/netns/" + pod_uuid
            subprocess.run(["umount", "-l", path], stderr=subprocess.DEVNULL)
            if os.path.exists(path):
                os.unlink(path)
        for n in self.nets:
            shutil.rmtree(os.path.join(LEASES, n), ignore_errors=True)

    def assert_nothing_left(self, pod_uuid, veths=(), ips=()):
        netns = "/run/pod/netns/" + pod_uuid
        self.assertFalse(os.path.exists(netns), netns + " is left")
        with open("/proc/self/mountinfo") as f:
            self.assertNotIn(netns, f.read())
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        for v in veths:
            self.assertNotIn(v + "@", links, "veth %s is left" % v)
        for n in self.nets:
            for ip in ips:
                self.assertFalse(os.path.exists(os.path.join(LEASES, n, ip)),
                                 "IPAM lease %s of %s is left" % (ip, n))
        for table in ("nat", "filter"):
            rules = subprocess.run(["iptables", "-w", "-t", table, "-S"], capture_output=True,
                                   text=True).stdout
            self.assertNotIn(pod_uuid, rules, "iptables rules of the pod are left in " + table)

    def serve_http(self, netns, port):
        """An HTTP server inside the pod's network namespace; returns its Popen."""
        www = os.path.join(self.root, "www")
        os.makedirs(www, exist_ok=True)
        with open(os.path.join(www, "hello"), "w") as f:
            f.write("hello from the pod\n")
        p = subprocess.Popen(["nsenter", "--net=" + netns, "python3", "-m", "http.server",
                              str(port), "--bind", "0.0.0.0", "--directory", www],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (p.kill(), p.wait()))
        return p

    # -- tests -----------------------------------------------------------------------

    def test_http_at_the_pod_address_and_a_published_port(self):
        host_port = free_port()
        d, pod_uuid = self.make_pod(
            ports=[{"name": "http", "hostPort": host_port, "hostIP": "127.0.0.1"}],
            app_ports=[{"name": "http", "protocol": "tcp", "port": 8080}])
        net = self.setup_net(d, pod_uuid, self.net)
        self.assertEqual(net["mode"], "networks")
        self.assertEqual(net["netns"], "/run/pod/netns/" + pod_uuid)
        [joined] = net["networks"]
        self.assertEqual((joined["name"], joined["ifname"], joined["mask"]), (self.net, "eth0", "24"))
        self.assertTrue(joined["ip"].startswith(self.subnet_prefix + "."), joined)
        # The bind mount lives in the mount namespace the driver started in (ours).
        with open("/proc/self/mountinfo") as f:
            self.assertIn(net["netns"], f.read())
        self.serve_http(net["netns"], 8080)
        self.assertEqual(http_get("http://%s:8080/hello" % joined["ip"]), "hello from the pod\n")
        self.assertEqual(http_get("http://127.0.0.1:%d/hello" % host_port), "hello from the pod\n")
        with open(os.path.join(d, "net-info.json")) as f:  # rkt's format, read by stage0
            self.assertEqual(json.load(f), [{
                "netName": self.net, "netConf": self.local + "/net.d/10-%s.conf" % self.net,
                "ifName": "eth0", "ip": joined["ip"], "mask": "24",
                "gateway": self.subnet_prefix + ".1", "nameservers": [], "args": ""}])
        veths = self.host_veths(d)
        self.assertTrue(veths)
        self.assertTrue(os.path.exists(os.path.join(LEASES, self.net, joined["ip"])))
        self.teardown_net(d)
        self.assert_nothing_left(pod_uuid, veths, [joined["ip"]])
        self.no_records(d)
        self.teardown_net(d)  # idempotent

    def test_kill9_before_teardown_then_gc_cleans_everything(self):
        d, pod_uuid = self.make_pod()
        p = subprocess.Popen([DRIVER, "setup", d, pod_uuid, "--private-mount-ns", "--hold",
                              "--local-config=" + self.local, "--net=" + self.net],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            net = json.loads(p.stdout.readline())
        finally:
            p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()
        ip = net["networks"][0]["ip"]
        # The namespace survived its creator and its creator's mount namespace.
        self.assertTrue(os.path.exists(net["netns"]))
        nsenter = subprocess.run(["nsenter", "--net=" + net["netns"], "ip", "-o", "-4", "addr"],
                                 capture_output=True, text=True)
        self.assertIn(ip + "/24", nsenter.stdout)
        veths = self.host_veths(d)
        self.teardown_net(d)
        self.assert_nothing_left(pod_uuid, veths, [ip])

    def test_a_second_setup_releases_the_first(self):
        d, pod_uuid = self.make_pod()
        first = self.setup_net(d, pod_uuid, self.net)
        veths = self.host_veths(d)
        second = self.setup_net(d, pod_uuid, self.net)
        ip1, ip2 = first["networks"][0]["ip"], second["networks"][0]["ip"]
        self.assertFalse(os.path.exists(os.path.join(LEASES, self.net, ip1)) and ip1 != ip2)
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        for v in veths:
            self.assertNotIn(v + "@", links)
        veths2 = self.host_veths(d)
        self.teardown_net(d)
        self.assert_nothing_left(pod_uuid, veths2, [ip1, ip2])

    def test_none_has_only_loopback_up(self):
        d, pod_uuid = self.make_pod()
        net = self.setup_net(d, pod_uuid, "none")
        self.assertEqual((net["mode"], net["networks"]), ("none", []))
        links = subprocess.run(["nsenter", "--net=" + net["netns"], "ip", "-o", "link"],
                               capture_output=True, text=True, check=True).stdout.splitlines()
        self.assertEqual(len(links), 1, links)
        self.assertIn("lo:", links[0])
        self.assertIn("UP", links[0])
        self.teardown_net(d)
        self.assert_nothing_left(pod_uuid)

    def test_host_sets_up_nothing(self):
        d, pod_uuid = self.make_pod()
        net = self.setup_net(d, pod_uuid, "host")
        self.assertEqual((net["mode"], net["netns"], net["networks"]), ("host", "", []))
        self.no_records(d)
        self.teardown_net(d)
        self.assert_nothing_left(pod_uuid)

    def test_several_networks_args_and_local_over_system(self):
        second = "nettest2-" + uuid.uuid4().hex[:8]
        self.nets.append(second)
        prefix2 = "10.%d.%d" % (random.randint(200, 250), random.randint(0, 254))
        # The system config's definition of the same name is hidden by the local one.
        self.write_conf(self.system, second, "10.199.254")
        # A bridge network (the plugin keeps its bridge after DEL, as it is meant to).
        bridge = "pb" + uuid.uuid4().hex[:8]
        self.addCleanup(subprocess.run, ["ip", "link", "del", bridge], stderr=subprocess.DEVNULL)
        self.write_conf(self.local, second, prefix2, filename="50-other.conf",
                        extra={"type": "bridge", "bridge": bridge, "isGateway": True})
        d, pod_uuid = self.make_pod()
        net = self.setup_net(d, pod_uuid, self.net, second + ":IP=%s.77" % prefix2)
        a, b = net["networks"]
        self.assertEqual((a["name"], a["ifname"]), (self.net, "eth0"))
        self.assertEqual((b["name"], b["ifname"], b["ip"]), (second, "eth1", prefix2 + ".77"))
        addrs = subprocess.run(["nsenter", "--net=" + net["netns"], "ip", "-o", "-4", "addr"],
                               capture_output=True, text=True, check=True).stdout
        self.assertIn(a["ip"] + "/24", addrs)
        self.assertIn(prefix2 + ".77/24", addrs)
        rec = self.record(d)
        self.assertEqual(rec["networks"][1]["args"], "IgnoreUnknown=1;IP=%s.77" % prefix2)
        self.assertTrue(rec["networks"][1]["netConf"].endswith("/etc/net.d/50-other.conf"))
        veths = self.host_veths(d)
        self.teardown_net(d)
        self.assert_nothing_left(pod_uuid, veths, [a["ip"], b["ip"]])

    def test_unknown_network_lists_those_that_exist(self):
        d, pod_uuid = self.make_pod()
        res = self.setup_net(d, pod_uuid, "nosuchnet", check=254)
        self.assertIn('unknown network "nosuchnet"', res.stderr)
        self.assertIn("default", res.stderr)
        self.assertIn(self.net, res.stderr)
        self.no_records(d)
        self.assert_nothing_left(pod_uuid)

    def test_missing_plugin_names_the_debian_package(self):
        self.write_conf(self.local, "nettest-noplugin", "10.199.253", {"type": "nosuchplugin"})
        d, pod_uuid = self.make_pod()
        res = self.setup_net(d, pod_uuid, "nettest-noplugin", check=254)
        self.assertIn('CNI plugin "nosuchplugin" not found', res.stderr)
        self.assertIn("containernetworking-plugins", res.stderr)
        self.assert_nothing_left(pod_uuid)

    def test_undeclared_port_is_refused_before_anything_starts(self):
        d, pod_uuid = self.make_pod(ports=[{"name": "nope", "hostPort": free_port()}],
                                    app_ports=[{"name": "http", "protocol": "tcp", "port": 80}])
        res = self.setup_net(d, pod_uuid, self.net, check=254)
        self.assertIn("no app of the pod declares a port named nope", res.stderr)
        self.assertIn("web:http (tcp/80)", res.stderr)
        self.no_records(d)
        self.assert_nothing_left(pod_uuid)

    def test_a_failing_network_tears_down_the_ones_before_it(self):
        broken = "nettest-broken-" + uuid.uuid4().hex[:6]
        self.nets.append(broken)
        # host-local refuses a range outside its subnet: ADD fails after eth0 is set up.
        self.write_conf(self.local, broken, "10.199.252",
                        {"ipam": {"type": "host-local", "subnet": "10.199.252.0/24",
                                  "rangeStart": "10.1.1.1"}})
        d, pod_uuid = self.make_pod()
        res = self.setup_net(d, pod_uuid, self.net, broken, check=254)
        self.assertIn("joining network " + broken, res.stderr)
        leases = os.listdir(os.path.join(LEASES, self.net))
        self.assertEqual([l for l in leases if l.startswith(self.subnet_prefix)], [])
        self.no_records(d)
        self.assert_nothing_left(pod_uuid)


if __name__ == "__main__":
    unittest.main()
