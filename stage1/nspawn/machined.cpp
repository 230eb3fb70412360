#include "stage1/nspawn/machined.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "common/fd.hpp"
#include "common/fs.hpp"

namespace pod::stage1::nspawn {

bool machined_reachable(const MachinedProbe& probe) {
  if (!is_directory(probe.systemd_dir)) return false;
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (probe.bus_socket.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, probe.bus_socket.c_str(), probe.bus_socket.size() + 1);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace pod::stage1::nspawn
