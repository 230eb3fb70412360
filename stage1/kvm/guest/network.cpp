#include "stage1/kvm/guest/network.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pod::stage1::kvm::guest {
namespace {

sockaddr ipv4(const std::string& text) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  if (inet_pton(AF_INET, text.c_str(), &in.sin_addr) != 1) throw Error("\"" + text + "\" is no IPv4 address");
  sockaddr out{};
  std::memcpy(&out, &in, sizeof in);
  return out;
}

ifreq request(const char* ifname) {
  ifreq r{};
  std::strncpy(r.ifr_name, ifname, IFNAMSIZ - 1);
  return r;
}

void bring_up(int fd, const char* ifname) {
  ifreq r = request(ifname);
  // The virtio-net driver may still be probing the device.
  for (int attempt = 0; ioctl(fd, SIOCGIFFLAGS, &r) != 0; ++attempt) {
    if (errno != ENODEV || attempt >= 300) throw_errno(std::string("finding interface ") + ifname);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.ifr_flags = static_cast<short>(r.ifr_flags | IFF_UP);
  check_sys(ioctl(fd, SIOCSIFFLAGS, &r), std::string("bringing ") + ifname + " up");
}

}  // namespace

void set_up_network(const std::optional<GuestNetwork>& network) {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("opening a socket for interface configuration");
  bring_up(fd.get(), "lo");
  if (!network) return;
  with_context("configuring eth0 as " + network->ip + "/" + std::to_string(network->prefix), [&] {
    bring_up(fd.get(), "eth0");
    ifreq r = request("eth0");
    r.ifr_addr = ipv4(network->ip);
    check_sys(ioctl(fd.get(), SIOCSIFADDR, &r), "setting the address");
    const uint32_t mask = network->prefix == 0 ? 0 : htonl(~uint32_t{0} << (32 - network->prefix));
    sockaddr_in m{};
    m.sin_family = AF_INET;
    m.sin_addr.s_addr = mask;
    std::memcpy(&r.ifr_netmask, &m, sizeof m);
    check_sys(ioctl(fd.get(), SIOCSIFNETMASK, &r), "setting the netmask");
    if (network->gateway.empty()) return;
    rtentry route{};
    route.rt_dst = ipv4("0.0.0.0");
    route.rt_genmask = ipv4("0.0.0.0");
    route.rt_gateway = ipv4(network->gateway);
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    char dev[] = "eth0";
    route.rt_dev = dev;
    check_sys(ioctl(fd.get(), SIOCADDRT, &route), "adding the default route via " + network->gateway);
  });
}

}  // namespace pod::stage1::kvm::guest
