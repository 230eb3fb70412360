"""The appc spec's own tools, built at test time from Debian's golang-github-appc-spec-dev
sources (GOPATH mode, offline): the ACE validator and actool.

They are built once per build tree, in <build>/tests/appc, under a file lock so that
tests running at the same time (ctest -j2) share one build; nothing built is committed.
"""
import fcntl
import os
import shutil
import subprocess
import unittest

from podtest import BUILD_DIR

SPEC_SRC = "/usr/share/gocode/src/github.com/appc/spec"
TOOLS_DIR = os.path.join(BUILD_DIR, "tests", "appc")


def go_env():
    return dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
                GOCACHE=os.path.join(TOOLS_DIR, "gocache"), CGO_ENABLED="0", GOPROXY="off")


def tool(name):
    """Path of the built `ace-validator` or `actool`; skips the test when Go or the sources
    are missing (scripts/install-deps.sh installs golang-go and golang-github-appc-spec-dev)."""
    package = {"ace-validator": "ace", "actool": "actool"}[name]
    if not shutil.which("go"):
        raise unittest.SkipTest("go is not installed (apt-get install golang-go)")
    if not os.path.isdir(os.path.join(SPEC_SRC, package)):
        raise unittest.SkipTest("the appc spec sources are not installed "
                                "(apt-get install golang-github-appc-spec-dev)")
    os.makedirs(TOOLS_DIR, exist_ok=True)
    out = os.path.join(TOOLS_DIR, name)
    with open(os.path.join(TOOLS_DIR, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(out):
            res = subprocess.run(["go", "build", "-o", out + ".tmp", "github.com/appc/spec/" + package],
                                 env=go_env(), capture_output=True, text=True, timeout=600)
            if res.returncode != 0:
                raise AssertionError("building %s from %s failed:\n%s" % (name, SPEC_SRC, res.stderr))
            os.rename(out + ".tmp", out)
    return out


def go_arch():
    return subprocess.run(["go", "env", "GOARCH"], env=go_env(), capture_output=True, text=True,
                          check=True).stdout.strip()


def actool_validate(test, *paths):
    """Asserts that actool accepts every image (or manifest) file."""
    res = subprocess.run([tool("actool"), "validate"] + list(paths), capture_output=True, text=True, timeout=120)
    test.assertEqual(res.returncode, 0, "actool validate %s:\n%s%s" % (" ".join(paths), res.stdout, res.stderr))
