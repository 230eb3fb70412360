#include "stage1/nspawn/socket_passing.hpp"

#include <charconv>
#include <string_view>

namespace pod::stage1::nspawn {
namespace {

constexpr const char* kEnv = "/usr/bin/env";

std::optional<long> number(const char* text) {
  if (text == nullptr) return std::nullopt;
  std::string_view s(text);
  long n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

}  // namespace

std::optional<PassedSockets> passed_sockets(const char* listen_fds, const char* listen_pid,
                                            const char* listen_fdnames, pid_t self) {
  const auto n = number(listen_fds);
  const auto pid = number(listen_pid);
  if (!n || *n == 0 || !pid || *pid != static_cast<long>(self)) return std::nullopt;
  return PassedSockets{*n, listen_fdnames ? listen_fdnames : ""};
}

std::vector<std::string> with_listen_pid(const std::vector<std::string>& argv, pid_t nspawn_pid) {
  std::vector<std::string> out{kEnv, "LISTEN_PID=" + std::to_string(nspawn_pid)};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace pod::stage1::nspawn
