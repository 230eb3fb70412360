// enter: a command in a running app, through the stage2 launcher so the app's user,
// environment and restrictions apply to it too. It joins pod init's namespaces (mount,
// UTS, IPC, network, pid, cgroup) and its root, so it sees the pod as the apps do.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage1/common/pod_layout.hpp"
#include "stage1/nspawn/entrypoints.hpp"
#include "stage1/nspawn/layout.hpp"
#include "stage1/nspawn/options.hpp"
#include "stage1/nspawn/pod_process.hpp"

namespace pod::stage1::nspawn {
namespace {

std::string uuid_of(const PodLayout& pod) {
  const std::string& d = pod.dir();
  return d.substr(d.rfind('/') + 1);
}

std::string single_app_of(const PodLayout& pod) {
  auto manifest = aci::PodManifest::parse(read_file(pod.pod_manifest()));
  if (manifest.apps.size() != 1) throw UsageError("this pod has several apps; give --appname");
  return manifest.apps.front().name;
}

struct Namespace {
  const char* name;
  int type;
};
// The user namespace first (a private-users pod), the mount namespace before the root.
constexpr Namespace kNamespaces[] = {{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
                                     {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
                                     {"mnt", CLONE_NEWNS}};

bool same_namespace(int pid, const char* ns) {
  struct stat a{};
  struct stat b{};
  std::string mine = std::string("/proc/self/ns/") + ns;
  std::string theirs = "/proc/" + std::to_string(pid) + "/ns/" + ns;
  return stat(mine.c_str(), &a) == 0 && stat(theirs.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

}  // namespace

int enter_pod(const std::vector<std::string>& args) {
  const EnterOptions o = parse_enter_options(args);
  const PodLayout pod = PodLayout::from_cwd();
  const std::string uuid = uuid_of(pod);
  const std::string app = o.app.empty() ? single_app_of(pod) : o.app;
  if (!is_pod_init(o.pid, uuid)) {
    Error err("process " + std::to_string(o.pid) + " is not the pod init of pod " + uuid);
    err.set_hint("the pod is not running (any more)");
    throw err;
  }
  const std::string proc = "/proc/" + std::to_string(o.pid);
  // Every fd is opened before the first setns: /proc changes meaning afterwards.
  UniqueFd root = open_fd(proc + "/root", O_PATH | O_DIRECTORY);
  std::vector<std::pair<UniqueFd, Namespace>> fds;
  for (const auto& ns : kNamespaces) {
    if (same_namespace(o.pid, ns.name)) continue;  // setns into one's own user ns is EINVAL
    fds.emplace_back(open_fd(proc + "/ns/" + ns.name, O_RDONLY), ns);
  }
  for (auto& entry : fds) {
    const int fd = entry.first.get();
    const Namespace ns = entry.second;
    with_context(std::string("joining the pod's ") + ns.name + " namespace",
                 [&] { check_sys(setns(fd, ns.type), "setns"); });
  }
  check_sys(fchdir(root.get()), "changing to the pod's root");
  check_sys(chroot("."), "entering the pod's root (chroot)");

  std::string flags_text;
  try {
    flags_text = read_file(kLauncherFlagsInPod);
  } catch (const Error&) {
    // A pod started by an older stage1: the default restrictions apply.
  }
  std::vector<std::string> argv{kLauncherPath, std::string("--pod-manifest=") + kPodManifestInPod,
                                std::string("--image-manifest=") + kAppsinfoInPod + "/" + app + "/manifest",
                                "--app=" + app, "--root=/opt/stage2/" + app + "/rootfs",
                                "--replace-exec", "--pivot-root"};
  for (const auto& f : split(flags_text, '\n'))
    if (!f.empty()) argv.push_back(f);
  if (o.debug) argv.emplace_back("--debug");
  if (isatty(STDIN_FILENO)) argv.emplace_back("--interactive");
  argv.emplace_back("--");
  if (o.command.empty()) argv.emplace_back("/bin/sh");
  else argv.insert(argv.end(), o.command.begin(), o.command.end());

  // Joining a pid namespace takes effect for children only.
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting the command (fork)");
  if (pid == 0) {
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    execv(kLauncherPath, c_argv.data());
    std::fprintf(stderr, "stage1-nspawn: enter: app %s: executing the stage2 launcher %s: %s\n", app.c_str(),
                 kLauncherPath, std::strerror(errno));
    _exit(127);
  }
  ChildProcess child(pid);
  return exit_code_of(child.wait());
}

}  // namespace pod::stage1::nspawn
