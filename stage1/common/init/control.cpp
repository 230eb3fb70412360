#include "stage1/common/init/control.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace pod::stage1::init {
namespace {

long long mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

sockaddr_un address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw Error("control socket path \"" + path + "\" is empty or longer than " +
                std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  return addr;
}

}  // namespace

std::string format_request(const ControlRequest& r) {
  nlohmann::json j = {{"op", r.op}, {"app", r.app}};
  if (!r.manifest.empty()) j["manifest"] = r.manifest;
  return j.dump() + "\n";
}

ControlRequest parse_request(const std::string& line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const std::exception& e) {
    throw Error(std::string("control request is not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("op") || !j["op"].is_string() || !j.contains("app") || !j["app"].is_string())
    throw Error("control request needs the strings \"op\" and \"app\"");
  ControlRequest r{j["op"].get<std::string>(), j["app"].get<std::string>(), {}};
  if (j.contains("manifest") && j["manifest"].is_string()) r.manifest = j["manifest"].get<std::string>();
  if (r.op != "add" && r.op != "start" && r.op != "stop" && r.op != "rm")
    throw Error("unknown control operation \"" + r.op + "\" (add, start, stop, rm)");
  if (r.app.empty()) throw Error("control request names no app");
  if (r.op == "add" && r.manifest.empty()) throw Error("control request add carries no pod manifest");
  return r;
}

std::string format_reply(const ControlReply& r) {
  nlohmann::json j = {{"ok", r.ok}};
  if (!r.ok) j["error"] = r.error;
  return j.dump() + "\n";
}

ControlReply parse_reply(const std::string& line) {
  try {
    auto j = nlohmann::json::parse(line);
    ControlReply r;
    r.ok = j.at("ok").get<bool>();
    if (!r.ok) r.error = j.value("error", std::string("pod init gave no reason"));
    return r;
  } catch (const std::exception& e) {
    throw Error(std::string("pod init's reply is not understood: ") + e.what());
  }
}

UniqueFd listen_control(const std::string& path) {
  sockaddr_un addr = address(path);
  (void)::unlink(path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw_errno("creating the control socket");
  check_sys(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "binding the control socket " + path);
  (void)::chmod(path.c_str(), 0600);
  check_sys(::listen(fd.get(), 64), "listening on the control socket " + path);
  return fd;
}

std::optional<std::string> read_line(int fd, int timeout_ms) {
  std::string out;
  const long long deadline = mono_ms() + timeout_ms;
  for (;;) {
    size_t nl = out.find('\n');
    if (nl != std::string::npos) return out.substr(0, nl);
    int left = timeout_ms < 0 ? -1 : static_cast<int>(std::max(0LL, deadline - mono_ms()));
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    char buf[65536];
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return std::nullopt;
    out.append(buf, static_cast<size_t>(got));
    if (out.size() > 16 * 1024 * 1024) return std::nullopt;  // no pod manifest is this big
  }
}

bool write_text(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      (void)::poll(&p, 1, 1000);
      continue;
    }
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

UniqueFd connect_control(int dirfd, const std::string& path) {
  // "/proc/self/fd/N/<path>" keeps the address short whatever the pod directory's length.
  std::string full = dirfd >= 0 ? "/proc/self/fd/" + std::to_string(dirfd) + "/" + path : path;
  sockaddr_un addr = address(full);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("creating a socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    Error e("the pod's init does not answer on its control socket " + path, errno);
    e.set_hint("the pod is not a running sandbox (pod app sandbox), or it is stopping");
    throw e;
  }
  return fd;
}

ControlReply exchange(int fd, const ControlRequest& r, int timeout_ms) {
  if (!write_text(fd, format_request(r))) throw_errno("sending the " + r.op + " request to pod init");
  auto line = read_line(fd, timeout_ms);
  if (!line) throw Error("pod init did not answer the " + r.op + " request for app " + r.app);
  return parse_reply(*line);
}

}  // namespace pod::stage1::init
