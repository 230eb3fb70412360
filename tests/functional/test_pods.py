"""Pod commands after run: prepare, run-prepared, list, status, enter, stop, rm,
cat-manifest, export, config, and UUID prefixes."""
import json
import os
import signal
import subprocess
import tarfile
import time
import unittest

from podfixture import BUSYBOX_ACI, INSPECT_ACI, PodsTestCase, mounts_containing
from podtest import POD_BIN


class PrepareTest(PodsTestCase):
    def test_prepare_then_run_prepared(self):
        uuid = self.prepare("--exec=/bin/sh", "--", "-c", "exit 3", image=BUSYBOX_ACI)
        self.assertEqual(self.pod_dirs("prepared"), [uuid])
        self.assertEqual(self.state(uuid), "prepared")
        self.pod("run-prepared", uuid[:8], check=3)
        self.assertEqual(self.pod_dirs("run"), [uuid])
        st = self.status_json(uuid)
        self.assertEqual(st["state"], "exited")
        self.assertEqual(st["apps"][0]["exit_code"], 3)

    def test_run_prepared_twice_or_while_running(self):
        uuid = self.prepare()
        self.pod("run-prepared", uuid, check=0)
        res = self.pod("run-prepared", uuid, check=254)
        self.assertIn("exited, not prepared", res.stderr)
        _, running = self.spawn_sleeper()
        res = self.pod("run-prepared", running, check=254)
        self.assertIn("running", res.stderr)

    def test_prepare_quiet_and_uuid_file(self):
        uuid_file = os.path.join(self.root, "u")
        res = self.pod("prepare", "--quiet", "--insecure-options=image", "--uuid-file-save=" + uuid_file,
                       INSPECT_ACI, check=0)
        with open(uuid_file) as f:
            self.assertEqual(res.stdout.strip(), f.read())


class UuidTest(PodsTestCase):
    def test_prefixes(self):
        uuids = [self.prepare() for _ in range(3)]
        for u in uuids:
            self.assertEqual(self.status_json(u[:6])["name"], u)
            self.assertEqual(self.status_json(u.upper())["name"], u)
        res = self.pod("status", "", check=254)
        res = self.pod("status", "not/a/uuid", check=254)
        self.assertIn("not/a/uuid", res.stderr)
        res = self.pod("status", "0000000000", check=254)
        self.assertIn('"0000000000"', res.stderr)
        # Two pods whose UUIDs share a prefix: rename one so they do.
        a, b = uuids[0], uuids[1]
        twin = a[:4] + b[4:]
        os.rename(os.path.join(self.data_dir, "pods", "prepared", b),
                  os.path.join(self.data_dir, "pods", "prepared", twin))
        res = self.pod("status", a[:4], check=254)
        self.assertIn("ambiguous", res.stderr)
        self.assertIn(a, res.stderr)
        self.assertIn(twin, res.stderr)
        for cmd in (["rm"], ["cat-manifest"], ["stop"], ["run-prepared"], ["enter"], ["export"]):
            res = self.pod(*cmd, a[:4], *(["/tmp/x.aci"] if cmd == ["export"] else []))
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("ambiguous", res.stderr, cmd)

    def test_uuid_file(self):
        uuid = self.prepare()
        f = os.path.join(self.root, "uuid")
        with open(f, "w") as out:
            out.write(uuid + "\n")
        self.assertIn("state=prepared", self.pod("status", "--uuid-file=" + f, check=0).stdout)
        self.pod("rm", "--uuid-file=" + f, check=0)
        self.assertEqual(self.list_json(), [])


class ListStatusTest(PodsTestCase):
    def test_list_table_and_json(self):
        self.run_pod("--name=first", check=0)
        proc, running = self.spawn_sleeper()
        out = self.pod("list", check=0).stdout.splitlines()
        self.assertEqual(out[0].split(), ["UUID", "APP", "IMAGE", "NAME", "STATE", "CREATED", "STARTED",
                                          "NETWORKS"])
        self.assertEqual(len(out), 3)
        row = [l for l in out if l.startswith(running[:8])][0]
        self.assertIn("running", row)
        self.assertIn("pod.dev/busybox", row)
        self.assertNotIn(running, row)  # shortened without --full
        full = self.pod("list", "--full", "--no-legend", check=0).stdout
        self.assertIn(running, full)
        self.assertIn("sha512-", full)
        self.assertNotIn("UUID", full)
        pods = {p["name"]: p for p in self.list_json()}
        self.assertEqual(pods[running]["state"], "running")
        self.assertIn("pid", pods[running])
        first = [p for p in pods.values() if p["app_names"] == ["first"]][0]
        self.assertEqual(first["state"], "exited")
        self.assertEqual(first["apps"][0]["exit_code"], 0)
        self.assertLessEqual(first["created_at"], first["started_at"])
        self.pod("list", "--format=yaml", check=254)

    def test_a_pod_with_two_apps_lists_one_line_per_app(self):
        res = self.pod("prepare", "--insecure-options=image", INSPECT_ACI, "---", BUSYBOX_ACI, "--name=shell",
                       check=0)
        uuid = res.stdout.strip()
        lines = self.pod("list", "--no-legend", check=0).stdout.splitlines()
        self.assertEqual(len(lines), 2)
        # Image names with :version, as rkt's list.
        self.assertEqual(lines[0].split()[:2], [uuid[:8], "inspect"])
        self.assertRegex(lines[0].split()[2], r"^pod\.dev/inspect:[0-9.]+")
        self.assertEqual(lines[0].split()[3], "prepared")
        self.assertEqual(lines[1].split()[0], "shell")
        self.assertRegex(lines[1].split()[1], r"^pod\.dev/busybox:[0-9.]+")
        self.assertEqual(self.list_json()[0]["app_names"], ["inspect", "shell"])

    def test_status_text_and_wait(self):
        proc, uuid = self.spawn_sleeper(seconds=2)
        st = self.pod("status", uuid, check=0).stdout
        self.assertIn("state=running\n", st)
        self.assertIn("pid=", st)
        self.assertIn("exited=false\n", st)
        st = self.pod("status", "--wait", uuid, check=0, timeout=60).stdout
        self.assertIn("state=exited\n", st)
        self.assertIn("app-busybox=0\n", st)
        self.assertIn("exited=true\n", st)

    def test_status_wait_timeout_and_wait_ready(self):
        proc, uuid = self.spawn_sleeper()
        res = self.pod("status", "--wait=300ms", uuid, check=254)
        self.assertIn("timed out", res.stderr)
        self.assertIn("state=running", self.pod("status", "--wait-ready=10s", uuid, check=0).stdout)
        uuid2 = self.prepare()
        res = self.pod("status", "--wait-ready=200ms", uuid2, check=254)
        self.assertIn("timed out waiting for pod %s to be ready" % uuid2, res.stderr)
        self.pod("status", "--wait=sometime", uuid, check=254)


class StopRmEnterTest(PodsTestCase):
    def test_stop(self):
        proc, uuid = self.spawn_sleeper()
        res = self.pod("stop", uuid[:8], check=0)
        self.assertEqual(res.stdout.strip(), uuid)
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        res = self.pod("stop", uuid, check=254)
        self.assertIn("not running", res.stderr)

    def test_stop_force_and_several(self):
        a_proc, a = self.spawn_sleeper(extra=("--name=a",))
        b_proc, b = self.spawn_sleeper(extra=("--name=b",))
        self.pod("stop", "--force", a, b, check=0)
        a_proc.communicate(timeout=30)
        b_proc.communicate(timeout=30)
        # --force kills the pod's stage1 process, which is `pod run` itself.
        self.assertEqual(a_proc.returncode, -signal.SIGKILL)
        self.wait_for(lambda: self.state(a) == "exited" and self.state(b) == "exited", "a and b to exit")

    def test_rm(self):
        prepared = self.prepare()
        self.run_pod("--uuid-file-save=" + os.path.join(self.root, "u"), check=0)
        with open(os.path.join(self.root, "u")) as f:
            exited = f.read()
        proc, running = self.spawn_sleeper()
        res = self.pod("rm", running, check=254)
        self.assertIn("running", res.stderr)
        self.assertIn("pod stop", res.stderr)
        self.assertEqual(self.state(running), "running")
        res = self.pod("rm", prepared, exited, check=0)
        self.assertEqual(res.stdout.split(), ['"%s"' % prepared, '"%s"' % exited])  # quoted, as rkt
        self.assertEqual([p["name"] for p in self.list_json()], [running])
        self.pod("rm", check=254)

    def test_enter(self):
        proc, uuid = self.spawn_sleeper()
        res = self.pod("enter", uuid, "/bin/sh", "-c", "echo inside; exit 5", check=5)
        self.assertEqual(res.stdout, "inside\n")
        res = self.pod("enter", "--app=busybox", uuid, "/bin/cat", "/etc/group", check=0)
        self.assertIn("extra:x:2000", res.stdout)
        res = self.pod("enter", "--app=nope", uuid, "/bin/true", check=254)
        self.assertIn("nope", res.stderr)
        exited = self.prepare()
        res = self.pod("enter", exited, "/bin/true", check=254)
        self.assertIn("not running", res.stderr)


class ManifestExportConfigTest(PodsTestCase):
    def test_cat_manifest(self):
        uuid = self.prepare("--name=probe")
        # Pretty by default, as rkt.
        compact = self.pod("cat-manifest", "--pretty-print=false", uuid, check=0).stdout
        pretty = self.pod("cat-manifest", uuid, check=0).stdout
        self.assertEqual(json.loads(compact), json.loads(pretty))
        self.assertEqual(compact.count("\n"), 1)
        self.assertGreater(pretty.count("\n"), 5)
        self.assertEqual(json.loads(compact)["acKind"], "PodManifest")
        self.assertEqual(json.loads(compact)["apps"][0]["name"], "probe")

    def test_export(self):
        uuid_file = os.path.join(self.root, "u")
        self.run_pod("--uuid-file-save=" + uuid_file, "--", "--content=made in the pod",
                     "--write-file=/made", check=0)
        with open(uuid_file) as f:
            uuid = f.read()
        out = os.path.join(self.root, "out.aci")
        self.pod("export", uuid, out, check=0)
        with tarfile.open(out) as t:
            names = t.getnames()
            self.assertIn("manifest", names)
            self.assertIn("rootfs/made", names)
            self.assertIn("rootfs/inspect", names)
            self.assertEqual(t.extractfile("rootfs/made").read(), b"made in the pod")
        res = self.pod("export", uuid, out, check=254)
        self.assertIn("out.aci", res.stderr)
        self.pod("export", "--overwrite", uuid, out, check=0)
        self.assertEqual(mounts_containing(self.data_dir), [])
        # The exported image runs.
        res = self.pod("run", "--insecure-options=image", out, "--", "--read-file=/made", check=0)
        self.assertIn("content: made in the pod", res.stdout)

    def test_export_refuses_running_and_unknown_app(self):
        proc, uuid = self.spawn_sleeper()
        res = self.pod("export", uuid, os.path.join(self.root, "x.aci"), check=254)
        self.assertIn("running", res.stderr)
        self.pod("stop", uuid, check=0)
        proc.communicate(timeout=30)
        res = self.pod("export", "--app=nope", uuid, os.path.join(self.root, "x.aci"), check=254)
        self.assertIn("nope", res.stderr)

    def test_config(self):
        d = os.path.join(self.local_config, "auth.d")
        os.makedirs(d)
        with open(os.path.join(d, "a.json"), "w") as f:
            json.dump({"rktKind": "auth", "rktVersion": "v1", "domains": ["example.com"], "type": "basic",
                       "credentials": {"user": "u", "password": "sekrit"}}, f)
        out = self.pod("config", check=0).stdout
        self.assertNotIn("sekrit", out)
        cfg = json.loads(out)["stage0"]
        kinds = {e["rktKind"]: e for e in cfg}
        self.assertEqual(kinds["paths"]["data"], self.data_dir)
        self.assertEqual(kinds["auth"]["domains"], ["example.com"])
        self.assertTrue(kinds["stage1"]["location"].endswith("stage1-nspawn.aci"))  # the default flavor
        pretty = self.pod("config", "--pretty-print", check=0).stdout
        self.assertEqual(json.loads(pretty), json.loads(out))


if __name__ == "__main__":
    unittest.main()
