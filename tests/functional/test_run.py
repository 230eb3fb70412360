"""`pod run`: the app's exit status, every per-app and pod flag as the app sees it, bad
input answered clearly, signals, kill -9, concurrency, stage1 selection."""
import json
import os
import signal
import subprocess
import tarfile
import threading
import time
import unittest

from podfixture import BUSYBOX_ACI, INSPECT_ACI, STAGE1_ACI, PodsTestCase, mounts_containing
from podtest import POD_BIN


def env_of(stdout):
    return dict(line[len("env: "):].split("=", 1) for line in stdout.splitlines() if line.startswith("env: "))


class RunTest(PodsTestCase):
    def test_exit_status_is_the_apps(self):
        self.run_pod(check=0)
        self.run_pod("--exec=/bin/sh", "--", "-c", "exit 7", image=BUSYBOX_ACI, check=7)
        res = self.run_pod("--", "--exit-code=42", check=42)
        self.assertEqual(res.stderr.count("error"), 0, res.stderr)

    def test_arguments_replace_the_images_and_exec_replaces_the_command(self):
        kv, _ = self.inspect("--print-cwd")
        self.assertEqual(kv["cwd"], "/")
        res = self.run_pod("--exec=/bin/echo", "--", "hello", "--not-a-pod-flag", check=0, image=BUSYBOX_ACI)
        self.assertEqual(res.stdout, "hello --not-a-pod-flag\n")

    def test_user_group_and_supplementary_gids(self):
        kv, _ = self.inspect("--print-user", flags=("--user=1000", "--group=1000",
                                                     "--supplementary-gids=2000,3000"))
        self.assertEqual((kv["uid"], kv["gid"]), ("1000", "1000"))
        self.assertEqual(kv["groups"].split(), ["2000", "3000"])
        kv, _ = self.inspect("--print-user", flags=("--user=user", "--group=group"))
        self.assertEqual((kv["uid"], kv["gid"]), ("1000", "1000"))

    def test_unknown_user_is_a_clear_error(self):
        res = self.run_pod("--user=nobody-such", "--", "--print-user")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("nobody-such", res.stderr)

    def test_working_dir(self):
        kv, _ = self.inspect("--print-cwd", flags=("--working-dir=/tmp",))
        self.assertEqual(kv["cwd"], "/tmp")

    def test_environment_flags(self):
        env_file = os.path.join(self.root, "env")
        with open(env_file, "w") as f:
            f.write("# a comment\nFROM_FILE=file\nBOTH=file\n")
        res = self.run_pod("--set-env=ONE=1", "--environment=BOTH=flag", "--set-env-file=" + env_file,
                           "--", "--print-env", check=0)
        env = env_of(res.stdout)
        self.assertEqual(env["ONE"], "1")
        self.assertEqual(env["FROM_FILE"], "file")
        self.assertEqual(env["BOTH"], "flag")
        self.assertNotIn("POD_TEST_INHERITED", env)
        host_env = dict(os.environ, POD_TEST_INHERITED="yes")
        res = self.run_pod("--inherit-env", "--", "--print-env", check=0, env=host_env)
        self.assertEqual(env_of(res.stdout)["POD_TEST_INHERITED"], "yes")

    def test_host_volume_mount(self):
        src = os.path.join(self.root, "shared")
        os.makedirs(src)
        with open(os.path.join(src, "hello"), "w") as f:
            f.write("from the host")
        res = self.pod("run", "--insecure-options=image", "--volume=data,kind=host,source=" + src,
                       INSPECT_ACI, "--mount=volume=data,target=/data", "--",
                       "--read-file=/data/hello", "--content=written", "--write-file=/data/back", check=0)
        self.assertIn("content: from the host", res.stdout)
        with open(os.path.join(src, "back")) as f:
            self.assertEqual(f.read(), "written")

    def test_read_only_volume_and_rootfs(self):
        src = os.path.join(self.root, "ro")
        os.makedirs(src)
        res = self.pod("run", "--insecure-options=image", "--volume=data,kind=host,source=%s,readOnly=true" % src,
                       INSPECT_ACI, "--mount=volume=data,target=/data", "--", "--write-file=/data/x")
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("write-error", res.stdout)
        res = self.run_pod("--readonly-rootfs", "--", "--write-file=/x")
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("Read-only file system", res.stdout)
        self.run_pod("--", "--write-file=/x", check=0)

    def test_mount_without_volume_is_a_usage_error(self):
        res = self.run_pod("--mount=volume=missing,target=/data", check=254)
        self.assertIn('no volume named "missing"', res.stderr)
        self.assertIn("--volume missing", res.stderr)
        self.assertEqual(self.pod_dirs("prepare") + self.pod_dirs("run"), [])

    def test_capabilities(self):
        kv, _ = self.inspect("--print-caps", flags=("--caps-retain=CAP_NET_BIND_SERVICE,CAP_CHOWN",))
        self.assertEqual(sorted(kv["cap_bounding"].split(",")), ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"])
        kv, _ = self.inspect("--print-caps", flags=("--caps-remove=CAP_CHOWN",))
        self.assertNotIn("CAP_CHOWN", kv["cap_bounding"])
        self.assertIn("CAP_KILL", kv["cap_bounding"])

    def test_seccomp_and_oom_score_adj(self):
        kv, _ = self.inspect("--print-seccomp", "--print-oom-score-adj",
                             flags=("--seccomp=mode=remove,errno=EPERM,reboot", "--oom-score-adj=123"))
        self.assertEqual(kv["seccomp"], "2")
        self.assertEqual(kv["oom_score_adj"], "123")

    def test_resource_isolators_and_annotations_land_in_the_manifest(self):
        uuid_file = os.path.join(self.root, "uuid")
        self.run_pod("--cpu=500m", "--memory=64M", "--name=probe", "--annotation=example.com/a=b",
                     "--uuid-file-save=" + uuid_file, check=0)
        with open(uuid_file) as f:
            uuid = f.read().strip()
        m = json.loads(self.pod("cat-manifest", uuid, check=0).stdout)
        app = m["apps"][0]
        self.assertEqual(app["name"], "probe")
        iso = {i["name"]: i["value"] for i in app["app"]["isolators"]}
        self.assertEqual(iso["resource/cpu"]["limit"], "500m")
        self.assertEqual(iso["resource/memory"]["limit"], "64M")
        self.assertIn({"name": "example.com/a", "value": "b"}, app["annotations"])

    def test_bad_flag_values_are_usage_errors(self):
        for flags, needle in ((("--caps-retain=CAP_NOPE",), "CAP_NOPE"),
                              (("--seccomp=reboot",), "mode="),
                              (("--oom-score-adj=5000",), "oom-score-adj"),
                              (("--memory=lots",), "lots"),
                              (("--port=http:80",), "http")):
            res = self.run_pod(*flags, check=254)
            self.assertIn(needle, res.stderr)
        res = self.pod("run", "--pull-policy=sometimes", INSPECT_ACI, check=254)
        self.assertIn("sometimes", res.stderr)

    def test_unknown_image(self):
        res = self.pod("run", "--pull-policy=never", "example.com/no-such-image:1.0", check=254)
        self.assertIn("example.com/no-such-image", res.stderr)
        res = self.pod("run", "--insecure-options=image", os.path.join(self.root, "missing.aci"), check=254)
        self.assertIn("missing.aci", res.stderr)
        self.assertEqual(self.pod_dirs("prepare") + self.pod_dirs("run"), [])

    def test_exec_missing_or_not_executable(self):
        # A pod error (254) as in rkt, never the 127/126 an app may exit with itself.
        res = self.run_pod("--exec=/no/such/program", check=254)
        self.assertIn("/no/such/program", res.stderr)
        res = self.run_pod("--exec=/not-executable", check=254)
        self.assertIn("/not-executable", res.stderr)

    def test_user_annotations_and_labels_show_in_status(self):
        uuid_file = os.path.join(self.root, "uuid")
        self.run_pod("--user-annotation=team=infra", "--user-label=tier=web",
                     "--uuid-file-save=" + uuid_file, check=0)
        with open(uuid_file) as f:
            st = self.status_json(f.read().strip())
        self.assertEqual(st["user_annotations"], {"team": "infra"})
        self.assertEqual(st["user_labels"], {"tier": "web"})
        self.assertEqual(st["apps"][0]["exit_code"], 0)

    def test_pod_manifest_is_used_as_it_is(self):
        uuid = self.prepare("--exec=/bin/echo", "--", "from-manifest", image=BUSYBOX_ACI)
        manifest = os.path.join(self.root, "pod.json")
        with open(manifest, "w") as f:
            f.write(self.pod("cat-manifest", uuid, check=0).stdout)
        res = self.pod("run", "--pod-manifest=" + manifest, check=0)
        self.assertEqual(res.stdout, "from-manifest\n")
        res = self.pod("run", "--pod-manifest=" + manifest, BUSYBOX_ACI, check=254)
        self.assertIn("--pod-manifest", res.stderr)

    def test_two_apps_in_one_manifest(self):
        res = self.pod("prepare", "--insecure-options=image", INSPECT_ACI, "--", "--print-pid", "---",
                       BUSYBOX_ACI, "--name=shell", "--exec=/bin/true", check=0)
        m = json.loads(self.pod("cat-manifest", res.stdout.strip(), check=0).stdout)
        self.assertEqual([a["name"] for a in m["apps"]], ["inspect", "shell"])
        self.assertEqual(m["apps"][0]["app"]["exec"], ["/inspect", "--print-pid"])
        self.assertEqual(m["apps"][1]["app"]["exec"], ["/bin/true"])

    def test_sigterm_stops_the_pod_cleanly(self):
        proc, uuid = self.spawn_sleeper()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        # The app died of SIGTERM, so pod run dies of it too (as rkt-fly), not 128+15.
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        st = self.status_json(uuid)
        self.assertEqual(st["state"], "exited")
        self.assertEqual(st["apps"][0]["exit_code"], 128 + signal.SIGTERM)

    def test_kill_9_leaves_a_pod_that_list_shows_truthfully_and_gc_cleans(self):
        proc, uuid = self.spawn_sleeper()
        pid = proc.pid
        proc.kill()
        proc.communicate(timeout=30)
        self.wait_for(lambda: self.state(uuid) == "exited", "the killed pod to show as exited")
        pods = {p["name"]: p for p in self.list_json()}
        self.assertEqual(pods[uuid]["state"], "exited")
        self.assertNotIn("exit_code", pods[uuid]["apps"][0])  # nobody was left to write it
        self.assertFalse(os.path.exists("/proc/%d" % pid))
        self.pod("gc", "--grace-period=0s", check=0)
        self.assertEqual(self.list_json(), [])
        self.assertEqual(mounts_containing(self.data_dir), [])

    def test_twenty_concurrent_runs(self):
        results = [None] * 20

        def one(i):
            results[i] = self.pod("run", "--insecure-options=image", BUSYBOX_ACI, "--exec=/bin/sh", "--",
                                  "-c", "exit %d" % i, timeout=300)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i, r in enumerate(results):
            self.assertEqual(r.returncode, i, r.stderr)
        pods = self.list_json()
        self.assertEqual(len(pods), 20)
        self.assertEqual(sorted(p["apps"][0]["exit_code"] for p in pods), list(range(20)))
        self.assertEqual(mounts_containing(self.data_dir), [])

    def test_uuid_file_save(self):
        uuid_file = os.path.join(self.root, "uuid")
        self.run_pod("--uuid-file-save=" + uuid_file, check=0)
        with open(uuid_file) as f:
            uuid = f.read()
        self.assertEqual([p["name"] for p in self.list_json()], [uuid])

    def test_no_mounts_left_on_the_host(self):
        before = len(mounts_containing(self.data_dir))
        proc, uuid = self.spawn_sleeper()
        self.assertEqual(len(mounts_containing(self.data_dir)), before)  # private namespace
        proc.kill()
        proc.communicate(timeout=30)
        self.assertEqual(mounts_containing(self.data_dir), [])


class Stage1SelectionTest(PodsTestCase):
    def stage1_of(self, uuid):
        with open(os.path.join(self.data_dir, "pods", "prepared", uuid, "stage1", "manifest")) as f:
            return json.load(f)["name"]

    def test_builtin_default_is_found_and_reused(self):
        uuid = self.prepare()
        self.assertEqual(self.stage1_of(uuid), "pod.dev/stage1-nspawn")  # the default flavor
        images = self.pod("image", "list", "--no-legend").stdout
        uuid2 = self.prepare()
        self.assertEqual(self.pod("image", "list", "--no-legend").stdout.count("stage1-nspawn"),
                         images.count("stage1-nspawn"))
        self.assertNotEqual(uuid, uuid2)

    def test_stage1_path_hash_and_from_dir(self):
        uuid = self.prepare("--stage1-path=" + STAGE1_ACI)
        self.assertEqual(self.stage1_of(uuid), "pod.dev/stage1-fly")
        image_id = json.loads(self.pod("status", "--format=json", uuid, check=0).stdout)["name"]
        self.assertEqual(image_id, uuid)
        with open(os.path.join(self.data_dir, "pods", "prepared", uuid, "stage1TreeStoreID")) as f:
            self.assertTrue(f.read().startswith("deps-sha512-"))
        images = os.path.join(self.local_config, "paths.d")
        os.makedirs(images)
        with open(os.path.join(images, "paths.json"), "w") as f:
            json.dump({"rktKind": "paths", "rktVersion": "v1",
                       "stage1-images": os.path.dirname(STAGE1_ACI)}, f)
        uuid = self.prepare("--stage1-from-dir=stage1-fly.aci")
        self.assertEqual(self.stage1_of(uuid), "pod.dev/stage1-fly")
        res = self.pod("prepare", "--insecure-options=image", INSPECT_ACI, "--stage1-hash=sha512-0000", check=254)
        self.assertIn("sha512-0000", res.stderr)
        res = self.pod("prepare", INSPECT_ACI, "--stage1-path=/a.aci", "--stage1-hash=sha512-1", check=254)

    def test_stage1_name_and_file_url(self):
        self.prepare()  # imports the built-in stage1 into the store
        uuid = self.prepare("--stage1-name=pod.dev/stage1-nspawn")
        self.assertEqual(self.stage1_of(uuid), "pod.dev/stage1-nspawn")
        uuid = self.prepare("--stage1-url=file://" + STAGE1_ACI)
        self.assertEqual(self.stage1_of(uuid), "pod.dev/stage1-fly")
        res = self.pod("prepare", "--insecure-options=image", "--pull-policy=never",
                       "--stage1-name=example.com/no-stage1", INSPECT_ACI, check=254)
        self.assertIn("example.com/no-stage1", res.stderr)

    def test_configured_default(self):
        d = os.path.join(self.system_config, "stage1.d")
        os.makedirs(d)
        with open(os.path.join(d, "fly.json"), "w") as f:
            json.dump({"rktKind": "stage1", "rktVersion": "v1", "name": "pod.dev/stage1-fly",
                       "version": "0.0.0-none", "location": STAGE1_ACI}, f)
        uuid = self.prepare()
        self.assertEqual(self.stage1_of(uuid), "pod.dev/stage1-fly")
        with open(os.path.join(d, "fly.json"), "w") as f:
            json.dump({"rktKind": "stage1", "rktVersion": "v1", "name": "example.com/none",
                       "version": "1", "location": "/nonexistent/stage1.aci"}, f)
        res = self.pod("prepare", "--insecure-options=image", INSPECT_ACI, check=254)
        self.assertIn("/nonexistent/stage1.aci", res.stderr)

    def test_a_stage1_that_cannot_start_leaves_no_pod(self):
        tree = os.path.join(self.root, "bogus")
        os.makedirs(os.path.join(tree, "rootfs"))
        with open(os.path.join(tree, "manifest"), "w") as f:
            json.dump({"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/bogus-stage1",
                       "annotations": [{"name": "coreos.com/rkt/stage1/run", "value": "/no/such/run"}]}, f)
        aci = os.path.join(self.root, "bogus.aci")
        self.pod("image", "build", tree, aci, check=0)
        res = self.pod("run", "--insecure-options=image", "--stage1-path=" + aci, INSPECT_ACI, check=254)
        self.assertIn("/no/such/run", res.stderr)
        self.assertEqual(self.list_json(), [])
        self.assertEqual(mounts_containing(self.data_dir), [])


class Stage1FlagsTest(PodsTestCase):
    def test_dns_reaches_the_pod(self):
        kv, _ = self.inspect("--read-file=/etc/resolv.conf", flags=("--dns=10.1.2.3",))
        self.assertIn("nameserver 10.1.2.3", kv["content"])

    def test_sigint_stops_the_pod(self):
        proc, uuid = self.spawn_sleeper()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.wait_for(lambda: self.state(uuid) == "exited", "the pod to exit")

    def test_net_and_hostname_reach_stage1(self):
        # stage1-fly shares the host's network and hostname and says it ignores these.
        res = self.run_pod("--stage1-path=" + STAGE1_ACI, "--net=mynet", check=0)
        self.assertIn("--net=mynet", res.stderr)
        res = self.pod("--debug", "run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI,
                       "--hostname=podhost", INSPECT_ACI, check=0)
        self.assertIn("--hostname", res.stderr)
        self.assertIn("--hostname=podhost", res.stderr)  # the stage1 command line, with --debug

    def test_port_forwarding_lands_in_the_manifest(self):
        tree = os.path.join(self.root, "ported")
        os.makedirs(tree)
        subprocess.run(["tar", "-xzf", INSPECT_ACI, "-C", tree], check=True)
        with open(os.path.join(tree, "manifest")) as f:
            m = json.load(f)
        m["name"] = "example.com/ported"
        m["app"]["ports"] = [{"name": "http", "protocol": "tcp", "port": 80}]
        with open(os.path.join(tree, "manifest"), "w") as f:
            json.dump(m, f)
        aci = os.path.join(self.root, "ported.aci")
        self.pod("image", "build", tree, aci, check=0)
        uuid = self.prepare("--port=http:127.0.0.1:8080", image=aci)
        pm = json.loads(self.pod("cat-manifest", uuid, check=0).stdout)
        self.assertEqual(pm["ports"], [{"name": "http", "hostPort": 8080, "hostIP": "127.0.0.1"}])

    def test_interactive_shell_on_a_terminal(self):
        import pty
        import select
        master, slave = pty.openpty()
        argv = [POD_BIN] + self.global_flags() + ["run", "--insecure-options=image", "--interactive", BUSYBOX_ACI]
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        self.children.append(proc)
        os.close(slave)
        os.write(master, b"echo in-the-pod-$((1+2)); exit 4\n")
        out = b""
        deadline = time.time() + 30
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:  # the terminal closed: the pod is gone
                    break
                if not data:
                    break
                out += data
            elif proc.poll() is not None:
                break
        os.close(master)
        self.assertEqual(proc.wait(timeout=30), 4, out)
        self.assertIn(b"in-the-pod-3", out)

    def test_no_overlay_copies_the_trees(self):
        uuid_file = os.path.join(self.root, "u")
        res = self.pod("--debug", "run", "--insecure-options=image", "--no-overlay", "--uuid-file-save=" + uuid_file,
                       INSPECT_ACI, "--", "--content=copied", "--write-file=/made", check=0)
        self.assertIn("--no-overlay: copying", res.stderr)
        with open(uuid_file) as f:
            uuid = f.read()
        self.assertEqual(self.status_json(uuid)["apps"][0]["exit_code"], 0)
        app_root = os.path.join(self.data_dir, "pods", "run", uuid, "stage1", "rootfs", "opt", "stage2",
                                "inspect", "rootfs")
        with open(os.path.join(app_root, "made")) as f:  # a real copy, visible from the host
            self.assertEqual(f.read(), "copied")
        out = os.path.join(self.root, "copied.aci")
        self.pod("export", uuid, out, check=0)
        with tarfile.open(out) as t:
            self.assertEqual([n for n in t.getnames() if "copied" in n], [])  # no marker archived
        res = self.pod("run", "--insecure-options=image", out, "--", "--read-file=/made", check=0)
        self.assertIn("content: copied", res.stdout)
        # prepare --no-overlay is remembered by run-prepared
        uuid = self.prepare("--no-overlay")
        res = self.pod("--debug", "run-prepared", uuid, check=0)
        self.assertIn("--no-overlay: copying", res.stderr)
        self.assertEqual(mounts_containing(self.data_dir), [])

    def test_dns_and_hosts_flags_are_passed_to_stage1(self):
        res = self.pod("--debug", "run", "--insecure-options=image", "--dns-search=example.com", "--dns-opt=ndots:2",
                       "--dns-domain=pods.local", "--hosts-entry=10.0.0.1=db", "--mds-register=false",
                       INSPECT_ACI, check=0)
        for flag in ("--dns-search=example.com", "--dns-opt=ndots:2", "--dns-domain=pods.local",
                     "--hosts-entry=10.0.0.1=db"):
            self.assertIn(flag, res.stderr)

    def test_interactive_is_for_one_app(self):
        res = self.pod("run", "--insecure-options=image", "--interactive", INSPECT_ACI, "---", BUSYBOX_ACI, check=254)
        self.assertIn("--interactive", res.stderr)


if __name__ == "__main__":
    unittest.main()
