#include "mds/client/client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "common/error.hpp"
#include "common/fd.hpp"

namespace pod::mds {

namespace {

// A service that accepted but hangs must not hang `pod run` with it.
constexpr int kReplyTimeoutSeconds = 5;

Error not_running(const std::string& socket, int err) {
  Error e("no metadata service is listening on " + socket, err);
  e.set_hint("start one with `pod metadata-service` (or its systemd socket unit), or run the pod "
             "without --mds-register; " + std::string(kSocketEnv) + " names another socket");
  return e;
}

UniqueFd connect_to(const std::string& socket) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket.size() >= sizeof addr.sun_path)
    throw Error("the metadata service socket path " + socket + " is too long for a unix socket");
  std::memcpy(addr.sun_path, socket.c_str(), socket.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("creating a unix socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) throw not_running(socket, errno);
  return fd;
}

}  // namespace

void check_listening(const std::string& socket) { (void)connect_to(socket); }

RegisterReply register_pod(const std::string& socket, const RegisterRequest& request) {
  UniqueFd fd = connect_to(socket);
  timeval tv{kReplyTimeoutSeconds, 0};
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  with_context("registering pod " + request.uuid + " with the metadata service at " + socket, [&] {
    write_all(fd.get(), encode_request(request), "the registration request");
  });
  std::string reply;
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw Error("registering pod " + request.uuid + ": no reply from the metadata service at " + socket, errno);
    if (n == 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  return with_context("registering pod " + request.uuid + " with the metadata service at " + socket,
                      [&] { return decode_reply(reply.substr(0, reply.find('\n'))); });
}

}  // namespace pod::mds
