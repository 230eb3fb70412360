"""Set-up shared by the tests that need the metadata service: the host tools a pod on
the default network needs, and a real `pod metadata-service` for the test's lifetime."""
import os
import shutil
import socket
import subprocess

from podtest import BUILD_DIR, POD_BIN

NSPAWN_ACI = os.path.join(BUILD_DIR, "stage1-images", "stage1-nspawn.aci")


def free_port():
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def skip_without_nspawn_networking(test):
    """Skips `test` (saying why) unless nspawn pods on --net=default can run here."""
    if os.geteuid() != 0:
        test.skipTest("needs root")
    if not os.path.exists(NSPAWN_ACI):
        test.skipTest("%s is not built (target stage1_nspawn_aci)" % NSPAWN_ACI)
    if not shutil.which("systemd-nspawn"):
        test.skipTest("apt-get install systemd-container")
    if not os.path.exists("/usr/lib/cni/ptp"):
        test.skipTest("apt-get install containernetworking-plugins")


def stop_process(proc):
    """TERM, then KILL after 10 s; reaped."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_metadata_service(test, socket_path, debug=False):
    """Starts `pod metadata-service` on a free port and `socket_path`, logging to
    test.root/mds.log; stopped (TERM, then KILL) at the test's clean-up. Returns (process,
    port) once the registration socket exists."""
    port = free_port()
    log = open(os.path.join(test.root, "mds.log"), "w")
    test.addCleanup(log.close)
    argv = [POD_BIN] + (["--debug"] if debug else []) + [
        "metadata-service", "--listen-port=%d" % port, "--socket=" + socket_path]
    service = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

    test.addCleanup(stop_process, service)
    test.wait_for(lambda: os.path.exists(socket_path) or service.poll() is not None, "the metadata service's socket")
    if service.poll() is not None:
        with open(os.path.join(test.root, "mds.log")) as f:
            test.fail("pod metadata-service exited with %s:\n%s" % (service.returncode, f.read()))
    return service, port
