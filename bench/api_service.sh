#!/usr/bin/env bash
# The api-service with many pods (default 1000, made by real `pod run`s of /bin/true):
# ListPods with and without detail against `pod list --format=json` of the same pods,
# the delay from a pod's state change to its event, and the service's memory.
# Prints times and ratios of one run; never pass/fail. Run by hand, as root.
# Usage: bench/api_service.sh [BUILD_DIR] [PODS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build=$(realpath "${1:-build}")
count=${2:-1000}
pod=$build/stage0/pod
busybox_aci=$build/tests/images/busybox.aci
stage1=$build/stage1-images/stage1-fly.aci
src=$(cd "$(dirname "$0")/.." && pwd)
bench_require "build pod, pod-api-service, test_images and stage1_fly_aci" \
  "$pod" "$build/api-service/pod-api-service" "$busybox_aci" "$stage1"
bench_require_root
py=python3
$py -c 'import grpc' 2>/dev/null || export PYTHONPATH=/usr/lib/python3/dist-packages

bench_scratch api
svc_pid=
cleanup() {
  [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null
  bench_scratch_remove
}
trap cleanup EXIT

"${P[@]}" run --insecure-options=image --stage1-path="$stage1" "$busybox_aci" --exec=/bin/true 2>/dev/null
seq 2 "$count" | xargs -P 4 -I{} "${P[@]}" run --pull-policy=never --stage1-path="$stage1" \
  pod.dev/busybox --exec=/bin/true 2>/dev/null
echo "pods: $(ls "$work/data/pods/run" | wc -l) exited pods made with pod run"

$py -m grpc_tools.protoc -I"$src/api-service/proto" --python_out="$work" --grpc_python_out="$work" \
  "$src/api-service/proto/api.proto"
sock=$work/api.sock
"${P[@]}" api-service --listen="unix:$sock" 2>"$work/service.log" &
svc_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done

PYTHONPATH="$work:${PYTHONPATH:-}" $py - "$sock" "$svc_pid" "$stage1" "$work" "${P[@]}" <<'PY'
import os, statistics, subprocess, sys, threading, time
import grpc, api_pb2 as pb, api_pb2_grpc as pbg
sock, svc_pid, stage1, work, pod = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
stub = pbg.PublicAPIStub(grpc.insecure_channel("unix:" + sock))
grpc.channel_ready_future(grpc.insecure_channel("unix:" + sock)).result(timeout=10)

def median_ms(fn, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)

n = len(stub.ListPods(pb.ListPodsRequest()).pods)
plain = median_ms(lambda: stub.ListPods(pb.ListPodsRequest(), timeout=120))
detail = median_ms(lambda: stub.ListPods(pb.ListPodsRequest(detail=True), timeout=120))
cli = median_ms(lambda: subprocess.run(pod + ["list", "--format=json"], check=True,
                                       stdout=subprocess.DEVNULL))
print("%-46s %8.1f ms" % ("pod list --format=json (%d pods)" % n, cli))
print("%-46s %8.1f ms  (%.2fx pod list)" % ("ListPods (%d pods)" % n, plain, plain / cli))
print("%-46s %8.1f ms  (%.2fx pod list)" % ("ListPods detail=true (%d pods)" % n, detail, detail / cli))

def rss_kib():
    for line in open("/proc/%s/status" % svc_pid):
        if line.startswith(("VmRSS", "VmHWM")):
            yield line.split()[0].rstrip(":"), int(line.split()[1])
mem = dict(rss_kib())
print("%-46s %8.1f MiB (peak %.1f MiB)" % ("service memory after listing %d pods" % n,
                                           mem["VmRSS"] / 1024, mem["VmHWM"] / 1024))

# Event delay: from the moment `pod prepare` has renamed the pod into prepared/ (it has
# returned) to the POD_PREPARED event; and from `pod run` returning to POD_EXITED.
stream = stub.ListenEvents(pb.ListenEventsRequest(filter=pb.EventFilter(
    types=[pb.EVENT_TYPE_POD_PREPARED, pb.EVENT_TYPE_POD_EXITED])))
next(stream)
arrived = {}
def reader():
    try:
        for resp in stream:
            for e in resp.events:
                arrived.setdefault((e.type, e.id), time.perf_counter())
    except grpc.RpcError:
        pass  # cancelled at the end
threading.Thread(target=reader, daemon=True).start()
delays = {pb.EVENT_TYPE_POD_PREPARED: [], pb.EVENT_TYPE_POD_EXITED: []}
for i in range(10):
    for kind, args in ((pb.EVENT_TYPE_POD_PREPARED, ["prepare"]), (pb.EVENT_TYPE_POD_EXITED, ["run"])):
        uuid_file = os.path.join(work, "uuid-%d-%d" % (kind, i))
        subprocess.run(pod + args + ["--pull-policy=never", "--stage1-path=" + stage1,
                                     "--uuid-file-save=" + uuid_file, "pod.dev/busybox",
                                     "--exec=/bin/true"], capture_output=True, check=True)
        done = time.perf_counter()
        uuid = open(uuid_file).read().strip()
        deadline = done + 10
        while (kind, uuid) not in arrived and time.perf_counter() < deadline:
            time.sleep(0.001)
        if (kind, uuid) in arrived:
            delays[kind].append(max(0.0, arrived[(kind, uuid)] - done) * 1000)
stream.cancel()
for kind, name in ((pb.EVENT_TYPE_POD_PREPARED, "prepared"), (pb.EVENT_TYPE_POD_EXITED, "exited")):
    d = delays[kind]
    print("%-46s %8.1f ms median, %.1f ms max (%d of 10 seen)" % (
        "event delay, pod %s (with %d pods)" % (name, n), statistics.median(d) if d else -1,
        max(d) if d else -1, len(d)))
PY
