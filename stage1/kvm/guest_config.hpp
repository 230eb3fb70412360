// What the host tells the guest's boot program (kvm_guest): pod init's command line,
// the host volumes to mount, the network address and the hostname. One file in the
// shared tree (layout.hpp, kGuestConfig), a "key<TAB>value..." line each, so the kernel
// command line stays short and free of user data.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pod::stage1::kvm {

struct GuestVolume {
  std::string tag;   // 9p mount tag ("vol0")
  std::string name;  // the pod manifest's volume name: /rkt/host-volumes/<name>
  bool read_only = false;
};

struct GuestNetwork {
  std::string ip;       // IPv4, dotted
  int prefix = 0;       // length of the network prefix
  std::string gateway;  // may be empty
};

struct GuestConfig {
  std::vector<std::string> init_argv;
  std::string hostname;
  std::vector<GuestVolume> volumes;
  std::optional<GuestNetwork> network;
  std::vector<std::string> nameservers;
  std::string metadata_url;  // AC_METADATA_URL for the apps (pod init's POD_METADATA_URL)
};

// Throws Error for a value holding a newline or tab (it would break the format).
[[nodiscard]] std::string format_guest_config(const GuestConfig& c);
// Throws Error naming the bad line.
[[nodiscard]] GuestConfig parse_guest_config(const std::string& text);

}  // namespace pod::stage1::kvm
