// enter: a command in the running app's mount namespace and rootfs, started through the
// stage2 launcher so the app's user, environment and restrictions apply to it too.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/fly/entrypoints.hpp"
#include "stage1/fly/launcher_flags.hpp"
#include "stage1/fly/layout.hpp"
#include "stage1/fly/options.hpp"
#include "aci/manifest.hpp"

namespace pod::stage1::fly {
namespace {

std::string single_app_of(const PodLayout& pod) {
  auto manifest = aci::PodManifest::parse(read_file(pod.pod_manifest()));
  if (manifest.apps.size() != 1) throw UsageError("this pod has several apps; give --appname");
  return manifest.apps.front().name;
}

// The process must be this pod's stage1 (it runs in the pod directory): a stale pid file
// whose pid was reused must not get us into someone else's namespace.
void check_pod_process(const PodLayout& pod, int pid) {
  char buf[PATH_MAX];
  std::string link = "/proc/" + std::to_string(pid) + "/cwd";
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
  if (n < 0) {
    Error err("process " + std::to_string(pid) + " of the pod", errno);
    err.set_hint("the pod is not running (any more)");
    throw err;
  }
  std::string cwd(buf, static_cast<size_t>(n));
  if (cwd != pod.dir()) {
    Error err("process " + std::to_string(pid) + " is not this pod's stage1 (it runs in " + cwd + ")");
    err.set_hint("the pod is not running (any more)");
    throw err;
  }
}

}  // namespace

int enter_pod(const std::vector<std::string>& args) {
  const EnterOptions o = parse_enter_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  const std::string app = o.app.empty() ? single_app_of(pod) : o.app;
  check_pod_process(pod, o.pid);
  const auto flags = load_launcher_flags(pod);

  with_context("entering the mount namespace of pod process " + std::to_string(o.pid), [&] {
    UniqueFd ns = open_fd("/proc/" + std::to_string(o.pid) + "/ns/mnt", O_RDONLY);
    check_sys(setns(ns.get(), CLONE_NEWNS), "setns");
  });

  std::string launcher = pod.stage1_rootfs() + kLauncherPath;
  std::vector<std::string> argv{launcher, "--pod-dir=" + pod.dir(), "--app=" + app,
                                "--root=" + pod.app_rootfs(app), "--replace-exec", "--pivot-root"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  if (o.debug) argv.emplace_back("--debug");
  if (isatty(STDIN_FILENO)) argv.emplace_back("--interactive");
  argv.emplace_back("--");
  if (o.command.empty()) argv.emplace_back("/bin/sh");
  else argv.insert(argv.end(), o.command.begin(), o.command.end());

  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  execv(launcher.c_str(), c_argv.data());
  throw_errno("app " + app + ": executing the stage2 launcher " + launcher);
}

}  // namespace pod::stage1::fly
