#include "api-service/options.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <cxxopts.hpp>

#include "common/strings.hpp"

namespace pod::api {

namespace {

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a4{};
  if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  return false;
}

std::string default_user_config() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.config/pod" : std::string();
}

}  // namespace

std::string ListenAddress::grpc_uri() const {
  if (unix_socket) return "unix:" + path;
  return (host.empty() ? "[::]" : host) + ":" + std::to_string(port);
}

ListenAddress parse_listen(const std::string& text) {
  ListenAddress a;
  if (starts_with(text, "unix:")) {
    a.unix_socket = true;
    a.path = text.substr(5);
    if (a.path.empty() || a.path[0] != '/')
      throw UsageError("--listen=" + text + ": the socket path must be absolute",
                       0, "write --listen=unix:/run/pod-api.sock");
    a.loopback = true;  // only this machine reaches a unix socket
    return a;
  }
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw UsageError("--listen=" + text + ": no port", 0,
                     "write --listen=ADDR:PORT (e.g. 127.0.0.1:15441) or --listen=unix:PATH");
  std::string host = text.substr(0, colon);
  std::string port = text.substr(colon + 1);
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || a.port < 0 ||
      a.port > 65535)
    throw UsageError("--listen=" + text + ": \"" + port + "\" is not a port number (0-65535)");
  std::string bare = host;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  else if (bare.find(':') != std::string::npos)
    throw UsageError("--listen=" + text + ": an IPv6 address needs brackets", 0,
                     "write --listen=[::1]:15441");
  a.host = host;
  a.loopback = is_loopback_host(bare);
  return a;
}

Options parse_options(const std::vector<std::string>& args) {
  cxxopts::Options o("pod api-service",
                     "Serves the read-only v1alpha gRPC API (rkt's) about the pods and images "
                     "of the data directory.");
  o.add_options()
    ("listen", "ADDR:PORT or unix:PATH to listen on (ignored under socket activation)",
     cxxopts::value<std::string>()->default_value(kDefaultListen))
    ("allow-non-loopback", "allow --listen on an address other machines can reach",
     cxxopts::value<bool>()->default_value("false"))
    ("socket-mode", "permissions of a unix socket (octal): who may connect",
     cxxopts::value<std::string>()->default_value("0660"))
    ("dir", "pod data directory", cxxopts::value<std::string>()->default_value("/var/lib/pod"))
    ("local-config", "local configuration directory",
     cxxopts::value<std::string>()->default_value("/etc/pod"))
    ("system-config", "system configuration directory",
     cxxopts::value<std::string>()->default_value("/usr/lib/pod"))
    ("user-config", "user configuration directory", cxxopts::value<std::string>())
    ("insecure-options", "reported by GetInfo",
     cxxopts::value<std::string>()->default_value("none"))
    ("trust-keys-from-https", "reported by GetInfo", cxxopts::value<bool>()->default_value("false"))
    ("debug", "accepted as by every pod command", cxxopts::value<bool>()->default_value("false"))
    ("h,help", "show this help");
  std::vector<const char*> argv{"pod api-service"};
  for (const auto& a : args) argv.push_back(a.c_str());
  cxxopts::ParseResult r;
  try {
    r = o.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(e.what(), 0, "run 'pod api-service --help' for the flags");
  }
  Options out;
  if (r.count("help")) {
    out.help = o.help();
    return out;
  }
  if (!r.unmatched().empty())
    throw UsageError("pod api-service takes no arguments, got \"" + r.unmatched().front() + "\"",
                     0, "give the address with --listen=ADDR:PORT");
  out.listen = r["listen"].as<std::string>();
  out.listen_given = r.count("listen") > 0;
  out.allow_non_loopback = r["allow-non-loopback"].as<bool>();
  std::string mode = r["socket-mode"].as<std::string>();
  auto [p, ec] = std::from_chars(mode.data(), mode.data() + mode.size(), out.socket_mode, 8);
  if (mode.empty() || ec != std::errc() || p != mode.data() + mode.size() || out.socket_mode > 0777)
    throw UsageError("--socket-mode=" + mode + " is not an octal file mode (e.g. 0660)");
  out.debug = r["debug"].as<bool>();
  out.service.data_dir = r["dir"].as<std::string>();
  out.service.local_config = r["local-config"].as<std::string>();
  out.service.system_config = r["system-config"].as<std::string>();
  out.service.user_config =
      r.count("user-config") ? r["user-config"].as<std::string>() : default_user_config();
  out.service.insecure_options = r["insecure-options"].as<std::string>();
  out.service.trust_keys_from_https = r["trust-keys-from-https"].as<bool>();
  return out;
}

}  // namespace pod::api
