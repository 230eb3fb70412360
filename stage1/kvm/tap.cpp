#include "stage1/kvm/tap.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "common/process.hpp"

namespace pod::stage1::kvm {
namespace {

constexpr const char* kTapName = "tap0";

ifreq request(const std::string& name) {
  ifreq r{};
  std::strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
  return r;
}

const char* tc_binary() {
  for (const char* p : {"/usr/sbin/tc", "/sbin/tc"})
    if (access(p, X_OK) == 0) return p;
  Error err("tc is not installed");
  err.set_hint("install Debian's iproute2 package (apt-get install iproute2)");
  throw err;
}

void tc(const std::vector<std::string>& args) {
  std::vector<std::string> argv{tc_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid < 0) throw_errno("starting tc (fork)");
  if (pid == 0) {
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    execv(c[0], c.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (exit_code_of(status) != 0) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    throw Error(line + " failed with status " + std::to_string(exit_code_of(status)));
  }
}

// Every frame arriving on FROM leaves through TO.
void redirect(const std::string& from, const std::string& to) {
  tc({"qdisc", "add", "dev", from, "ingress"});
  tc({"filter", "add", "dev", from, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0", "action",
      "mirred", "egress", "redirect", "dev", to});
}

}  // namespace

PodTap join_netns_with_tap(const std::string& netns_path, const std::string& ifname) {
  PodTap tap;
  {
    UniqueFd ns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw_errno("opening the pod's network namespace " + netns_path);
    check_sys(setns(ns.get(), CLONE_NEWNET), "joining the pod's network namespace " + netns_path);
  }
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno("opening a socket for interface configuration");
  ifreq hw = request(ifname);
  check_sys(ioctl(sock.get(), SIOCGIFHWADDR, &hw), "reading " + ifname + "'s MAC address");
  char mac[18];
  const auto* b = reinterpret_cast<const unsigned char*>(hw.ifr_hwaddr.sa_data);
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  tap.mac = mac;

  tap.fd.reset(::open("/dev/net/tun", O_RDWR));  // inherited by qemu: no O_CLOEXEC
  if (!tap.fd) throw_errno("opening /dev/net/tun");
  // IFF_VNET_HDR: frames from the host's bridge may carry a checksum still to be
  // computed (veth offload); the virtio-net header hands that on to the guest.
  ifreq t = request(kTapName);
  t.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  check_sys(ioctl(tap.fd.get(), TUNSETIFF, &t), "creating the tap device");
  ifreq up = request(kTapName);
  check_sys(ioctl(sock.get(), SIOCGIFFLAGS, &up), "reading the tap's flags");
  up.ifr_flags = static_cast<short>(up.ifr_flags | IFF_UP);
  check_sys(ioctl(sock.get(), SIOCSIFFLAGS, &up), "bringing the tap up");
  redirect(ifname, kTapName);
  redirect(kTapName, ifname);
  return tap;
}

}  // namespace pod::stage1::kvm
