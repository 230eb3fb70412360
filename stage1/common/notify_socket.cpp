#include "stage1/common/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1 {
namespace {

// The address of "/path" or "@abstract"; its length, or 0 when the name does not fit.
socklen_t to_sockaddr(const std::string& socket, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (socket.empty() || socket.size() >= sizeof addr.sun_path) return 0;
  std::memcpy(addr.sun_path, socket.data(), socket.size());
  if (socket[0] == '@') addr.sun_path[0] = '\0';
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket.size());
}

}  // namespace

bool notify_send(const std::string& socket, std::string_view message) {
  sockaddr_un addr{};
  socklen_t len = to_sockaddr(socket, addr);
  if (len == 0) return false;
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  return ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                  reinterpret_cast<sockaddr*>(&addr), len) == static_cast<ssize_t>(message.size());
}

std::vector<std::string> notify_fields(std::string_view datagram) {
  std::vector<std::string> out;
  for (const auto& line : split(datagram, '\n'))
    if (!line.empty()) out.emplace_back(line);
  return out;
}

std::optional<std::string> notify_value(const std::vector<std::string>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.size() > name.size() && f.compare(0, name.size(), name) == 0 && f[name.size()] == '=')
      return f.substr(name.size() + 1);
  }
  return std::nullopt;
}

NotifyListener NotifyListener::bind_abstract(const std::string& name) {
  NotifyListener l;
  l.address_ = "@" + name;
  l.fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!l.fd_) throw_errno("creating the notification socket " + l.address_);
  sockaddr_un addr{};
  socklen_t len = to_sockaddr(l.address_, addr);
  if (len == 0) throw Error("notification socket name " + l.address_ + " is too long");
  check_sys(::bind(l.fd_.get(), reinterpret_cast<sockaddr*>(&addr), len),
            "binding the notification socket " + l.address_);
  return l;
}

std::optional<std::vector<std::string>> NotifyListener::receive() const {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n >= 0) return notify_fields(std::string_view(buf, static_cast<size_t>(n)));
    if (errno == EINTR) continue;
    return std::nullopt;  // EAGAIN: nothing pending
  }
}

}  // namespace pod::stage1
