"""`pod api-service` with a real gRPC client: Debian's python3-grpcio, stubs generated at
test time from api-service/proto/api.proto (rkt's v1alpha protocol). Every method and
filter is checked against `pod list --format=json` and `pod image list --format=json`;
events for a pod that starts and exits; GetLogs with and without follow; status codes;
a hundred concurrent clients while pods churn; and that a whole session leaves the data
directory exactly as it was.
"""
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from podfixture import BUSYBOX_ACI, INSPECT_ACI, STAGE1_ACI, PodsTestCase
from podtest import POD_BIN, SOURCE_DIR

try:
    import grpc  # noqa: F401
except ImportError:
    # Debian's python3-grpcio lives in the system interpreter's dist-packages; a python3
    # of the same version elsewhere on PATH can load it too.
    sys.path.append("/usr/lib/python3/dist-packages")

try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    grpc = None

pb = None
pb_grpc = None
_stub_dir = None


def setUpModule():
    global pb, pb_grpc, _stub_dir
    if grpc is None:
        raise unittest.SkipTest("python3-grpcio and python3-grpc-tools are not installed")
    _stub_dir = tempfile.mkdtemp(prefix="api-stubs-")
    proto_dir = os.path.join(SOURCE_DIR, "api-service", "proto")
    rc = protoc.main(["protoc", "-I" + proto_dir, "--python_out=" + _stub_dir,
                      "--grpc_python_out=" + _stub_dir, os.path.join(proto_dir, "api.proto")])
    if rc != 0:
        raise RuntimeError("generating the python stubs from api.proto failed")
    sys.path.insert(0, _stub_dir)
    import api_pb2
    import api_pb2_grpc
    pb, pb_grpc = api_pb2, api_pb2_grpc


def tearDownModule():
    if _stub_dir:
        shutil.rmtree(_stub_dir, ignore_errors=True)


STATE_NAMES = {  # pod list's state names -> the protocol's
    "embryo": "POD_STATE_EMBRYO", "preparing": "POD_STATE_PREPARING",
    "aborted prepare": "POD_STATE_ABORTED_PREPARE", "prepared": "POD_STATE_PREPARED",
    "running": "POD_STATE_RUNNING", "exited": "POD_STATE_EXITED",
    "exited garbage": "POD_STATE_GARBAGE", "garbage": "POD_STATE_GARBAGE",
    "deleting": "POD_STATE_DELETING",
}


def tree_digest(root):
    """Every path under root with its type, mode, size, mtime and content: what a
    read-only client must not change (atime aside)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(("%s %o %d %d\n" % (os.path.relpath(p, root), st.st_mode, st.st_size,
                                         st.st_mtime_ns)).encode())
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def cri_line(t, stream, text):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%09dZ %s F %s\n" % (
        int((t % 1) * 1e9), stream, text)


class ApiServiceTestCase(PodsTestCase):
    def setUp(self):
        super().setUp()
        self.service = None

    # --- the service ------------------------------------------------------------------
    def start_service(self, *extra, listen=None):
        sock = os.path.join(self.root, "api-%d.sock" % time.monotonic_ns())
        listen = listen or "unix:" + sock
        argv = [POD_BIN] + self.global_flags() + ["api-service", "--listen=" + listen] + list(extra)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self._stop, proc)
        line = proc.stderr.readline()
        self.assertIn("listening on", line, "the service did not start: %s%s" % (
            line, proc.stderr.read() if proc.poll() is not None else ""))
        target = line.strip().split("listening on ", 1)[1]
        channel = grpc.insecure_channel(target)
        grpc.channel_ready_future(channel).result(timeout=10)
        self.addCleanup(channel.close)
        self.service = proc
        return pb_grpc.PublicAPIStub(channel), proc, target

    @staticmethod
    def _stop(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for f in (proc.stdout, proc.stderr):
            if f:
                f.close()

    # --- pods ---------------------------------------------------------------------------
    def run_fly(self, *args, image=BUSYBOX_ACI, check=0):
        uuid_file = os.path.join(self.root, "uuid-run-%d" % time.monotonic_ns())
        self.pod("run", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI,
                 "--uuid-file-save=" + uuid_file, image, *args, check=check)
        return self._read(uuid_file)

    def spawn_fly_sleeper(self, *extra, seconds=300):
        uuid_file = os.path.join(self.root, "uuid-%d" % time.monotonic_ns())
        proc = self.spawn_pod("--stage1-path=" + STAGE1_ACI, "--uuid-file-save=" + uuid_file,
                              *extra, "--exec=/bin/sleep", "--", str(seconds))
        uuid = self.wait_for(lambda: self._read(uuid_file), "the pod's UUID file")
        self.wait_for(lambda: self.state(uuid) == "running" and self.status_json(uuid).get("pid"),
                      "pod %s to run" % uuid)
        return proc, uuid

    def prepare_fly(self, *args, image=BUSYBOX_ACI):
        res = self.pod("prepare", "--insecure-options=image", "--stage1-path=" + STAGE1_ACI,
                       image, *args, check=0)
        return res.stdout.strip().splitlines()[-1]

    def pod_path(self, uuid):
        for state in ("prepared", "run", "exited-garbage", "garbage", "prepare"):
            p = os.path.join(self.data_dir, "pods", state, uuid)
            if os.path.isdir(p):
                return p
        self.fail("no directory for pod " + uuid)

    def assert_code(self, code, fn, *args, contains=None):
        with self.assertRaises(grpc.RpcError) as ctx:
            r = fn(*args, timeout=10)
            if hasattr(r, "__iter__") and not hasattr(r, "ListFields"):
                list(r)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        if contains:
            self.assertIn(contains, ctx.exception.details())
        return ctx.exception.details()

    def ids(self, resp):
        return sorted(p.id for p in resp.pods)

    def list_pods(self, api, detail=False, **filters):
        req = pb.ListPodsRequest(detail=detail)
        if filters:
            req.filters.append(pb.PodFilter(**filters))
        return api.ListPods(req, timeout=30)


class TestInfoAndListen(ApiServiceTestCase):
    def test_get_info_reports_versions_and_global_flags(self):
        api, _, _ = self.start_service("--insecure-options=image")
        info = api.GetInfo(pb.GetInfoRequest(), timeout=10).info
        version = self.pod_json("version", "--format=json")
        self.assertEqual(info.rkt_version, version["version"])
        self.assertEqual(info.appc_version, version["appcVersion"])
        self.assertEqual(info.api_version, "1.0.0-alpha")
        self.assertEqual(info.global_flags.dir, self.data_dir)
        self.assertEqual(info.global_flags.local_config_dir, self.local_config)
        self.assertEqual(info.global_flags.system_config_dir, self.system_config)
        self.assertEqual(info.global_flags.user_config_dir, self.user_config)
        self.assertEqual(info.global_flags.insecure_flags, "image")

    def test_tcp_loopback_with_a_chosen_port(self):
        api, _, target = self.start_service(listen="127.0.0.1:0")
        self.assertTrue(target.startswith("127.0.0.1:"), target)
        self.assertNotEqual(target, "127.0.0.1:0")
        self.assertEqual(len(api.ListPods(pb.ListPodsRequest(), timeout=10).pods), 0)

    def test_non_loopback_needs_an_explicit_flag(self):
        res = self.pod("api-service", "--listen=0.0.0.0:15441", timeout=30)
        self.assertEqual(res.returncode, 254, res.stderr)
        self.assertIn("--allow-non-loopback", res.stderr)
        res = self.pod("api-service", "--listen=nowhere", timeout=30)
        self.assertEqual(res.returncode, 254, res.stderr)
        self.assertIn("no port", res.stderr)

    def test_unix_socket_permissions(self):
        sock = os.path.join(self.root, "mode.sock")
        self.start_service("--socket-mode=0600", listen="unix:" + sock)
        self.assertEqual(os.stat(sock).st_mode & 0o777, 0o600)
        # Another user cannot connect: the socket's permissions decide.
        res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              sys.executable, "-c",
                              "import socket,sys; s=socket.socket(socket.AF_UNIX)\n"
                              "try: s.connect(sys.argv[1])\nexcept PermissionError: sys.exit(3)",
                              sock], capture_output=True, timeout=30)
        self.assertEqual(res.returncode, 3, res.stderr)

    def test_socket_activation(self):
        if not shutil.which("systemd-socket-activate"):
            self.skipTest("systemd-socket-activate is not installed")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        argv = ["systemd-socket-activate", "-l", "127.0.0.1:%d" % port, POD_BIN] + \
            self.global_flags() + ["api-service"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self._stop, proc)
        channel = grpc.insecure_channel("127.0.0.1:%d" % port)
        self.addCleanup(channel.close)
        deadline = time.time() + 20
        while True:
            try:
                info = pb_grpc.PublicAPIStub(channel).GetInfo(pb.GetInfoRequest(), timeout=5)
                break
            except grpc.RpcError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.assertEqual(info.info.global_flags.dir, self.data_dir)

    def test_sigterm_ends_streams_and_the_service(self):
        api, proc, _ = self.start_service()
        events = api.ListenEvents(pb.ListenEventsRequest())
        next(events)  # the stream is set up
        start = time.time()
        proc.send_signal(signal.SIGTERM)
        try:
            for _ in events:
                pass
        except grpc.RpcError:
            pass  # closed by the server going away: as good as a clean end
        self.assertEqual(proc.wait(timeout=15), 0)
        self.assertLess(time.time() - start, 10)
        self.assertIn("stopped", proc.stderr.read())


class TestPods(ApiServiceTestCase):
    def test_list_and_inspect_pods_match_pod_list(self):
        exited = self.run_fly("--user-annotation=team=infra", "--exec=/bin/sh", "--", "-c", "exit 3",
                              check=None)
        prepared = self.prepare_fly("--user-annotation=team=web")
        with open(os.path.join(self.pod_path(prepared), "net-info.json"), "w") as f:
            json.dump([{"netName": "default", "ip": "172.16.28.5"}], f)
        _, running = self.spawn_fly_sleeper()
        api, _, _ = self.start_service()

        listed = {p["name"]: p for p in self.list_json()}
        resp = api.ListPods(pb.ListPodsRequest(), timeout=30)
        self.assertEqual(self.ids(resp), sorted(listed))
        images = {i["id"] for i in self.pod_json("image", "list", "--format=json")}
        for p in resp.pods:
            want = listed[p.id]
            self.assertEqual(pb.PodState.Name(p.state), STATE_NAMES[want["state"]], p.id)
            self.assertEqual([a.name for a in p.apps], want["app_names"])
            self.assertEqual([a.image.id for a in p.apps], [a["image_id"] for a in want["apps"]])
            self.assertTrue(all(a.image.id in images for a in p.apps))
            # The protocol's times are nanoseconds; pod list prints rkt's seconds.
            self.assertEqual(p.created_at // 10**9, want.get("created_at", 0))
            self.assertEqual(p.started_at // 10**9, want.get("started_at", 0))
            self.assertEqual(p.pid, want.get("pid", 0))
            self.assertEqual(p.manifest, b"")  # only with detail
            self.assertEqual({kv.Key: kv.value for kv in p.annotations}, want["user_annotations"])
        by_id = {p.id: p for p in resp.pods}
        self.assertEqual(by_id[running].state, pb.POD_STATE_RUNNING)
        self.assertEqual(by_id[running].apps[0].state, pb.APP_STATE_RUNNING)
        self.assertTrue(by_id[running].cgroup.startswith("/"), by_id[running].cgroup)
        self.assertEqual(by_id[exited].apps[0].state, pb.APP_STATE_EXITED)
        self.assertEqual(by_id[exited].apps[0].exit_code, 3)
        self.assertEqual([(n.name, n.ipv4) for n in by_id[prepared].networks],
                         [("default", "172.16.28.5")])

        detailed = api.ListPods(pb.ListPodsRequest(detail=True), timeout=30)
        for p in detailed.pods:
            with open(os.path.join(self.pod_path(p.id), "pod"), "rb") as f:
                self.assertEqual(p.manifest, f.read())
            self.assertTrue(all(a.image.name for a in p.apps), p)
            self.assertEqual(p.apps[0].image.base_format.type, pb.IMAGE_TYPE_APPC)

        inspected = api.InspectPod(pb.InspectPodRequest(id=exited), timeout=10).pod
        self.assertEqual(inspected.id, exited)
        self.assertEqual(json.loads(inspected.manifest)["acKind"], "PodManifest")
        self.assertEqual(inspected.apps[0].exit_code, 3)

        # Every filter, against the pods it must and must not return.
        cg = by_id[running].cgroup
        image_id = by_id[running].apps[0].image.id
        cases = [
            (dict(ids=[exited, prepared]), [exited, prepared]),
            (dict(states=[pb.POD_STATE_RUNNING]), [running]),
            (dict(states=[pb.POD_STATE_PREPARED, pb.POD_STATE_EXITED]), [exited, prepared]),
            (dict(app_names=[by_id[running].apps[0].name]), [exited, prepared, running]),
            (dict(app_names=["no-such-app"]), []),
            (dict(image_ids=[image_id]), [exited, prepared, running]),
            (dict(image_ids=[image_id[:20]]), [exited, prepared, running]),
            (dict(image_ids=["sha512-0000"]), []),
            (dict(network_names=["default"]), [prepared]),
            (dict(annotations=[pb.KeyValue(Key="team", value="infra")]), [exited]),
            (dict(cgroups=[cg]), [running]),
            (dict(pod_sub_cgroups=[cg + "/system.slice/x.service"]), [running]),
            (dict(pod_sub_cgroups=["/no/such/cgroup"]), []),
            (dict(states=[pb.POD_STATE_RUNNING], ids=[exited]), []),
        ]
        for filt, want in cases:
            with self.subTest(filter=filt):
                self.assertEqual(self.ids(self.list_pods(api, **filt)), sorted(want))
        # Two filters: a pod matching either is returned.
        req = pb.ListPodsRequest(filters=[pb.PodFilter(ids=[exited]), pb.PodFilter(ids=[running])])
        self.assertEqual(self.ids(api.ListPods(req, timeout=10)), sorted([exited, running]))

    def test_status_codes_name_what_was_wrong(self):
        api, _, _ = self.start_service()
        missing = "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b"
        self.assert_code(grpc.StatusCode.NOT_FOUND, api.InspectPod, pb.InspectPodRequest(id=missing),
                         contains=missing)
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.InspectPod,
                         pb.InspectPodRequest(id="bogus"), contains="bogus")
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.InspectPod, pb.InspectPodRequest(),
                         contains="empty")
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.ListPods,
                         pb.ListPodsRequest(filters=[pb.PodFilter(), pb.PodFilter(ids=["x"])]),
                         contains="filters[1].ids[0]")
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.ListPods,
                         pb.ListPodsRequest(filters=[pb.PodFilter(states=[42])]),
                         contains="states[0]")
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.ListImages,
                         pb.ListImagesRequest(filters=[pb.ImageFilter(imported_after=10,
                                                                      imported_before=5)]),
                         contains="imported_after")
        self.assert_code(grpc.StatusCode.NOT_FOUND, api.InspectImage,
                         pb.InspectImageRequest(id="sha512-" + "0" * 128))
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.InspectImage,
                         pb.InspectImageRequest(id="busybox"), contains="busybox")
        self.assert_code(grpc.StatusCode.NOT_FOUND, api.GetLogs, pb.GetLogsRequest(pod_id=missing))
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.GetLogs,
                         pb.GetLogsRequest(pod_id=missing, lines=-1), contains="lines")
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, api.ListenEvents,
                         pb.ListenEventsRequest(filter=pb.EventFilter(types=[99])),
                         contains="filter.types[0]")


class TestImages(ApiServiceTestCase):
    def test_list_and_inspect_images_match_pod_image_list(self):
        for aci in (BUSYBOX_ACI, INSPECT_ACI):
            self.pod("fetch", "--insecure-options=image", aci, check=0)
        api, _, _ = self.start_service()
        listed = {i["id"]: i for i in self.pod_json("image", "list", "--format=json")}
        resp = api.ListImages(pb.ListImagesRequest(), timeout=30)
        self.assertEqual(sorted(i.id for i in resp.images), sorted(listed))
        for img in resp.images:
            want = listed[img.id]
            self.assertEqual(img.import_timestamp * 10**9, want["import_time"])
            self.assertEqual(img.size, want["size"])
            self.assertEqual({kv.Key: kv.value for kv in img.labels}, want["labels"])
            self.assertEqual(want["name"].split(":")[0], img.name)
            self.assertEqual(img.version, want["labels"].get("version", ""))
            self.assertEqual(img.base_format.type, pb.IMAGE_TYPE_APPC)
            self.assertEqual(img.manifest, b"")
        detailed = api.ListImages(pb.ListImagesRequest(detail=True), timeout=30)
        for img in detailed.images:
            manifest = self.pod("image", "cat-manifest", img.id, check=0).stdout
            self.assertEqual(json.loads(img.manifest), json.loads(manifest))
            inspected = api.InspectImage(pb.InspectImageRequest(id=img.id[:30]), timeout=10).image
            self.assertEqual(inspected.manifest, img.manifest)

        some = resp.images[0]
        name = some.name
        base = name.rsplit("/", 1)[-1]
        all_ids = sorted(listed)
        label = some.labels[0]

        def ids_for(**filt):
            r = api.ListImages(pb.ListImagesRequest(filters=[pb.ImageFilter(**filt)]), timeout=10)
            return sorted(i.id for i in r.images)

        def expect(pred):
            return sorted(i.id for i in resp.images if pred(i))

        self.assertEqual(ids_for(ids=[some.id[:40]]), [some.id])
        self.assertEqual(ids_for(prefixes=[name[:4]]), expect(lambda i: i.name.startswith(name[:4])))
        self.assertEqual(ids_for(base_names=[base]), expect(lambda i: i.name.rsplit("/", 1)[-1] == base))
        self.assertEqual(ids_for(keywords=[base[1:-1]]), expect(lambda i: base[1:-1] in i.name))
        self.assertEqual(ids_for(full_names=[name]), expect(lambda i: i.name == name))
        self.assertEqual(ids_for(labels=[pb.KeyValue(Key=label.Key, value=label.value)]),
                         expect(lambda i: any(l.Key == label.Key and l.value == label.value
                                              for l in i.labels)))
        self.assertEqual(ids_for(labels=[pb.KeyValue(Key="no-such", value="x")]), [])
        t = some.import_timestamp
        self.assertEqual(ids_for(imported_after=t - 1), expect(lambda i: i.import_timestamp > t - 1))
        self.assertEqual(ids_for(imported_after=t + 3600), [])
        self.assertEqual(ids_for(imported_before=t + 3600), all_ids)
        self.assertEqual(ids_for(imported_before=t - 3600), [])
        if some.annotations:
            a = some.annotations[0]
            self.assertIn(some.id, ids_for(annotations=[pb.KeyValue(Key=a.Key, value=a.value)]))
        self.assertEqual(ids_for(annotations=[pb.KeyValue(Key="no-such", value="x")]), [])


    def test_oci_images_are_listed_as_oci(self):
        from ocifixtures import OciLayout, busybox_layer
        layout = OciLayout(os.path.join(self.root, "layout"))
        layout.add_image("v1", [busybox_layer()], {"Cmd": ["/bin/true"]})
        res = self.pod("fetch", "--insecure-options=image", "oci:%s:v1" % layout.path, check=0)
        short_id = res.stdout.strip().splitlines()[-1]
        api, _, _ = self.start_service()
        images = [i for i in api.ListImages(pb.ListImagesRequest(), timeout=10).images
                  if i.id.startswith(short_id)]
        self.assertEqual(len(images), 1)
        self.assertEqual(images[0].base_format.type, pb.IMAGE_TYPE_OCI)
        self.assertIn("manifest", images[0].base_format.version)
        listed = {i["id"] for i in self.pod_json("image", "list", "--format=json")}
        self.assertIn(images[0].id, listed)
        inspected = api.InspectImage(pb.InspectImageRequest(id=images[0].id), timeout=10).image
        self.assertEqual(inspected.base_format.type, pb.IMAGE_TYPE_OCI)


class TestEventsAndLogs(ApiServiceTestCase):
    def collect_events(self, api, request):
        """Starts a stream in a thread; returns (list of events so far, stop function)."""
        stream = api.ListenEvents(request)
        first = next(stream)
        self.assertEqual(len(first.events), 0)
        got = []

        def reader():
            try:
                for resp in stream:
                    got.extend(resp.events)
            except grpc.RpcError:
                pass

        t = threading.Thread(target=reader, daemon=True)
        t.start()

        def stop():
            stream.cancel()
            t.join(timeout=10)
        self.addCleanup(stop)
        return got, stop

    def wait_events(self, got, pred, what, timeout=30):
        return self.wait_for(lambda: [e for e in list(got) if pred(e)], what, timeout=timeout)

    def test_events_for_a_pod_that_starts_and_exits_and_for_images(self):
        self.pod("fetch", "--insecure-options=image", BUSYBOX_ACI, check=0)
        api, _, _ = self.start_service()
        got, _ = self.collect_events(api, pb.ListenEventsRequest())
        uuid = self.run_fly("--exec=/bin/sh", "--", "-c", "exit 7", check=None)
        self.wait_events(got, lambda e: e.type == pb.EVENT_TYPE_POD_EXITED and e.id == uuid,
                         "the pod's exited event")
        mine = [e for e in got if e.id == uuid]
        types = [e.type for e in mine]
        self.assertLess(types.index(pb.EVENT_TYPE_POD_STARTED), types.index(pb.EVENT_TYPE_POD_EXITED))
        app_exit = [e for e in mine if e.type == pb.EVENT_TYPE_APP_EXITED]
        self.assertEqual([(kv.Key, kv.value) for kv in app_exit[0].data], [("exit_code", "7")])
        self.assertTrue(all(abs(e.time - time.time()) < 60 for e in mine))

        self.pod("gc", "--grace-period=0s", check=0)
        removed = self.wait_events(got, lambda e: e.type == pb.EVENT_TYPE_POD_GARBAGE_COLLECTED
                                   and e.id == uuid and e.data[0].value == "removed",
                                   "the pod's removal")
        self.assertTrue(removed)

        image_id = self.pod("fetch", "--insecure-options=image", INSPECT_ACI, check=0).stdout.strip()
        # fetch prints the short ID, events carry the full one.
        imported = self.wait_events(got, lambda e: e.type == pb.EVENT_TYPE_IMAGE_IMPORTED
                                    and e.id.startswith(image_id), "the image's import")
        listed = [i for i in self.pod_json("image", "list", "--format=json")
                  if i["id"] == imported[0].id]
        self.assertEqual(getattr(imported[0], "from"), listed[0]["name"].split(":")[0])
        self.pod("image", "rm", image_id, check=0)
        self.wait_events(got, lambda e: e.type == pb.EVENT_TYPE_IMAGE_REMOVED
                         and e.id.startswith(image_id),
                         "the image's removal")

        # A filtered stream sees only what it asked for.
        only, _ = self.collect_events(api, pb.ListenEventsRequest(
            filter=pb.EventFilter(types=[pb.EVENT_TYPE_POD_EXITED])))
        second = self.run_fly("--exec=/bin/true", check=None)
        self.wait_events(only, lambda e: e.id == second, "the second pod's exit")
        self.assertEqual({e.type for e in only}, {pb.EVENT_TYPE_POD_EXITED})

    def test_get_logs_from_the_log_files(self):
        prepared = self.prepare_fly()
        logs = os.path.join(self.pod_path(prepared), "overlay", "stage1", "upper", "rkt", "logs")
        os.makedirs(logs)
        with open(os.path.join(self.pod_path(prepared), "pod")) as f:
            app = json.load(f)["apps"][0]["name"]
        base = time.time() - 100
        with open(os.path.join(logs, app + ".log.1"), "w") as f:
            f.write(cri_line(base, "stdout", "first"))
        with open(os.path.join(logs, app + ".log"), "w") as f:
            for i in range(1, 5):
                f.write(cri_line(base + i * 10, "stderr" if i % 2 else "stdout", "line %d" % i))
        api, _, _ = self.start_service()

        def lines(**kw):
            return [l for r in api.GetLogs(pb.GetLogsRequest(pod_id=prepared, **kw), timeout=10)
                    for l in r.lines]
        got = lines()
        self.assertEqual(len(got), 5)
        self.assertTrue(got[0].endswith(" stdout F first"))
        self.assertTrue(got[4].endswith(" line 4"))
        self.assertEqual(lines(lines=2), got[3:])
        self.assertEqual(lines(app_name=app, since_time=int(base + 25)), got[3:])
        self.assertEqual(lines(until_time=int(base + 15)), got[:2])
        self.assert_code(grpc.StatusCode.NOT_FOUND, api.GetLogs,
                         pb.GetLogsRequest(pod_id=prepared, app_name="nope"), contains="nope")

    def test_get_logs_follow_streams_until_the_pod_exits(self):
        proc, uuid = self.spawn_fly_sleeper(seconds=300)
        path = self.pod_path(uuid)
        upper = os.path.join(path, "overlay", "stage1", "upper")
        base = upper if os.path.isdir(upper) else os.path.join(path, "stage1", "rootfs")
        logs = os.path.join(base, "rkt", "logs")
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(path, "pod")) as f:
            app = json.load(f)["apps"][0]["name"]
        log = os.path.join(logs, app + ".log")
        with open(log, "w") as f:
            f.write(cri_line(time.time(), "stdout", "before"))
        api, _, _ = self.start_service()
        stream = api.GetLogs(pb.GetLogsRequest(pod_id=uuid, follow=True), timeout=60)
        got = []
        done = threading.Event()

        def reader():
            try:
                for r in stream:
                    got.extend(r.lines)
            except grpc.RpcError:
                pass
            done.set()
        threading.Thread(target=reader, daemon=True).start()
        self.wait_for(lambda: got, "the existing line")
        with open(log, "a") as f:
            f.write(cri_line(time.time(), "stdout", "after"))
        self.wait_for(lambda: len(got) >= 2, "the new line")
        self.assertTrue(got[1].endswith(" after"), got)
        proc.kill()  # stage1 dies, the lock is let go: the pod has exited
        proc.wait()
        self.assertTrue(done.wait(20), "the follow stream did not end after the pod exited")
        self.assertEqual(len(got), 2, got)


class TestConcurrencyAndReadOnly(ApiServiceTestCase):
    def test_a_hundred_clients_while_pods_churn(self):
        self.pod("fetch", "--insecure-options=image", BUSYBOX_ACI, check=0)
        api, _, target = self.start_service()
        stop = threading.Event()
        errors = []
        calls = [0]
        lock = threading.Lock()

        def client(n):
            channel = grpc.insecure_channel(target)
            stub = pb_grpc.PublicAPIStub(channel)
            try:
                while not stop.is_set():
                    resp = stub.ListPods(pb.ListPodsRequest(detail=n % 2 == 0), timeout=60)
                    for p in resp.pods:
                        # rkt shows only id and state for these (and pod for one gc is
                        # deleting); every other pod must be whole.
                        complete = p.state not in (pb.POD_STATE_EMBRYO, pb.POD_STATE_PREPARING,
                                                   pb.POD_STATE_ABORTED_PREPARE,
                                                   pb.POD_STATE_DELETING)
                        if complete and (not p.apps or (n % 2 == 0 and not p.manifest)):
                            errors.append("half-written pod %s: %s" % (p.id, p))
                    if n % 10 == 0:
                        stub.ListImages(pb.ListImagesRequest(detail=True), timeout=60)
                    with lock:
                        calls[0] += 1
            except grpc.RpcError as e:
                errors.append("client %d: %s %s" % (n, e.code(), e.details()))
            finally:
                channel.close()

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(100)]
        for t in threads:
            t.start()
        try:
            deadline = time.time() + 20
            runs = 0
            while time.time() < deadline:
                self.run_fly("--exec=/bin/true", check=None)
                self.prepare_fly()
                runs += 1
                if runs % 3 == 0:
                    self.pod("gc", "--grace-period=0s", "--expire-prepared=0s", check=0)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        self.assertEqual(errors[:5], [])
        self.assertGreater(runs, 0)
        self.assertGreaterEqual(calls[0], 100)

    def test_a_full_session_changes_nothing_on_disk(self):
        self.pod("fetch", "--insecure-options=image", INSPECT_ACI, check=0)
        exited = self.run_fly("--exec=/bin/true", check=None)
        prepared = self.prepare_fly()
        before = tree_digest(self.data_dir)
        api, _, _ = self.start_service()
        api.GetInfo(pb.GetInfoRequest(), timeout=10)
        for detail in (False, True):
            api.ListPods(pb.ListPodsRequest(detail=detail), timeout=10)
            images = api.ListImages(pb.ListImagesRequest(detail=detail), timeout=10).images
        for uuid in (exited, prepared):
            api.InspectPod(pb.InspectPodRequest(id=uuid), timeout=10)
            list(api.GetLogs(pb.GetLogsRequest(pod_id=uuid), timeout=10))
        for img in images:
            api.InspectImage(pb.InspectImageRequest(id=img.id), timeout=10)
        events = api.ListenEvents(pb.ListenEventsRequest(), timeout=3)
        try:
            for _ in events:
                pass
        except grpc.RpcError as e:
            self.assertEqual(e.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self._stop(self.service)
        self.assertEqual(tree_digest(self.data_dir), before)
        cas = os.listdir(os.path.join(self.data_dir, "cas"))
        self.assertNotIn("db-wal", cas)
        self.assertNotIn("db-shm", cas)


if __name__ == "__main__":
    unittest.main()
