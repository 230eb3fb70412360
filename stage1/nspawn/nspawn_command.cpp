#include "stage1/nspawn/nspawn_command.hpp"

namespace pod::stage1::nspawn {
namespace {

// nspawn's --bind syntax escapes ':' in paths with a backslash.
std::string escape_colons(const std::string& p) {
  std::string out;
  for (char c : p) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> nspawn_argv(const NspawnPlan& p) {
  std::vector<std::string> a{p.nspawn, "--quiet", "--directory=" + p.rootfs, "--machine=" + p.machine};
  if (p.register_machine) {
    a.emplace_back("--register=yes");
  } else {
    // Without machined (no systemd as PID 1): no registration and no scope of its own;
    // the container stays in the cgroups run put it in.
    a.emplace_back("--register=no");
    a.emplace_back("--keep-unit");
  }
  a.emplace_back("--settings=no");  // a stray .nspawn file must not change a pod
  a.emplace_back("--link-journal=no");
  a.emplace_back("--timezone=off");
  a.emplace_back("--resolv-conf=copy-host");
  // stdin/stdout/stderr are the pod's own (pod init keeps stdout and stderr apart);
  // an interactive pod gets a terminal.
  a.emplace_back(p.interactive ? "--console=interactive" : "--console=pipe");
  // SIGTERM to nspawn reaches pod init as SIGTERM: a clean stop of every app.
  a.emplace_back("--kill-signal=SIGTERM");
  // The launcher restricts every app to its own set; pod init needs what it mounts with,
  // and an app's retain set may name any capability.
  a.emplace_back("--capability=all");
  if (!p.hostname.empty()) a.emplace_back("--hostname=" + p.hostname);
  switch (p.network) {
    case NspawnPlan::Network::host: break;
    case NspawnPlan::Network::none: a.emplace_back("--private-network"); break;
    case NspawnPlan::Network::netns: a.emplace_back("--network-namespace-path=" + p.netns_path); break;
  }
  if (p.notify_ready) a.emplace_back("--notify-ready=yes");
  if (p.private_users) {
    a.emplace_back("--private-users=pick");
    a.emplace_back("--private-users-ownership=auto");
  }
  for (const auto& e : p.env) a.push_back("--setenv=" + e);
  for (const auto& b : p.binds)
    a.push_back((b.read_only ? "--bind-ro=" : "--bind=") + escape_colons(b.source) + ":" + escape_colons(b.target));
  a.emplace_back("--");
  a.insert(a.end(), p.init.begin(), p.init.end());
  return a;
}

std::string shell_quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=/.,:+@%") == std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace pod::stage1::nspawn
