// Whether systemd-machined can register the pod. machined ships with systemd-nspawn
// (systemd-container) and is started on demand over the system bus, so it is reachable
// exactly when systemd runs the host (sd_booted: /run/systemd/system exists) and the
// system bus accepts connections. A static binary cannot load libsystemd, so the check
// is these two facts, not a D-Bus call.
#pragma once

#include <string>

namespace pod::stage1::nspawn {

struct MachinedProbe {
  std::string systemd_dir = "/run/systemd/system";
  std::string bus_socket = "/run/dbus/system_bus_socket";
};

[[nodiscard]] bool machined_reachable(const MachinedProbe& probe = {});

}  // namespace pod::stage1::nspawn
