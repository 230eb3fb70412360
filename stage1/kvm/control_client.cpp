#include "stage1/kvm/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pod::stage1::kvm {
namespace {

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(what);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

int control_request(const std::string& socket_path, const ControlRequest& r, int out_fd, int err_fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) throw Error("control socket path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("opening a unix socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw_errno("connecting to the VM's control channel " + socket_path);
  write_all(fd.get(), encode_request(r), "sending a request to the VM");
  FrameReader reader;
  char buf[16384];
  for (;;) {
    while (auto f = reader.next()) {
      switch (f->type) {
        case FrameType::out: write_all(out_fd, f->data, "writing the command's output"); break;
        case FrameType::err: write_all(err_fd, f->data, "writing the command's output"); break;
        case FrameType::exit: return std::atoi(f->data.c_str());
      }
    }
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("reading the VM's answer");
    if (n == 0) throw Error("the VM's control channel closed before the answer was complete (the pod ended?)");
    reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

}  // namespace pod::stage1::kvm
