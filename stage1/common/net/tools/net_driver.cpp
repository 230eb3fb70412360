// pod-net-driver: setup_pod_network / teardown_pod_network on a pod directory without a
// stage1 flavor, for the functional tests and the benchmark.
//
//   pod-net-driver setup POD_DIR UUID [--net=...]... [--local-config=D] [--system-config=D]
//                  [--debug] [--private-mount-ns] [--hold]
//   pod-net-driver teardown POD_DIR [--debug] [--private-mount-ns]
//
// setup prints the PodNetwork as JSON. --private-mount-ns does what stage0 does before an
// entrypoint: a private (slave) mount namespace, with POD_HOST_MNTNS_FD naming the one
// it started in. --hold then waits for a signal (so a test can kill -9 it).
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "stage1/common/net/netns.hpp"
#include "stage1/common/net/pod_network.hpp"

namespace {

using namespace pod;
using namespace pod::stage1::net;

void enter_private_mount_ns() {
  int fd = ::open("/proc/self/ns/mnt", O_RDONLY);  // inherited on purpose, as stage0's
  if (fd < 0) throw_errno("opening /proc/self/ns/mnt");
  check_sys(::unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
  check_sys(::mount("none", "/", nullptr, MS_REC | MS_SLAVE, nullptr), "making / a slave");
  check_sys(::setenv(kHostMountNsEnv, std::to_string(fd).c_str(), 1), "setenv");
}

nlohmann::json to_json(const PodNetwork& n) {
  nlohmann::json nets = nlohmann::json::array();
  for (const auto& j : n.networks)
    nets.push_back({{"name", j.name}, {"ifname", j.ifname}, {"ip", j.ip}, {"gateway", j.gateway},
                    {"mask", j.mask}, {"nameservers", j.dns_nameservers}});
  const char* mode = n.mode == NetworkSelection::Mode::host   ? "host"
                     : n.mode == NetworkSelection::Mode::none ? "none"
                                                              : "networks";
  return {{"mode", mode}, {"netns", n.netns_path}, {"networks", nets}};
}

int run(const std::vector<std::string>& args) {
  if (args.size() < 2) throw UsageError("usage: pod-net-driver setup|teardown POD_DIR [UUID] ...");
  const std::string& cmd = args[0];
  stage1::PodLayout pod(args[1]);
  std::vector<std::string> nets;
  SetupRequest req;
  bool hold = false;
  bool private_ns = false;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (starts_with(a, "--net=")) nets.push_back(a.substr(6));
    else if (starts_with(a, "--local-config=")) req.local_config = a.substr(15);
    else if (starts_with(a, "--system-config=")) req.system_config = a.substr(16);
    else if (a == "--debug") req.debug = true;
    else if (a == "--hold") hold = true;
    else if (a == "--private-mount-ns") private_ns = true;
    else if (!starts_with(a, "--") && req.uuid.empty()) req.uuid = a;
    else throw UsageError("unknown argument " + a);
  }
  Logger log(req.debug);
  if (private_ns) enter_private_mount_ns();
  if (cmd == "teardown") {
    teardown_pod_network(pod, log);
    return 0;
  }
  if (cmd != "setup" || req.uuid.empty()) throw UsageError("setup needs POD_DIR and UUID");
  req.selection = parse_net_flags(nets);
  PodNetwork net = setup_pod_network(pod, req, log);
  std::cout << to_json(net).dump() << std::endl;
  if (hold) ::pause();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const pod::UsageError& e) {
    std::fprintf(stderr, "pod-net-driver: %s\n", e.what());
    return 2;
  } catch (const pod::Error& e) {
    std::fprintf(stderr, "pod-net-driver: error: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "pod-net-driver: hint: %s\n", e.hint().c_str());
    return 254;
  }
}
