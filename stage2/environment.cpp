#include "stage2/environment.hpp"

namespace pod::stage2 {

aci::Environment build_environment(const EnvironmentInputs& in) {
  aci::Environment env;
  env.set("PATH", kDefaultPath);
  env.set("SHELL", "/bin/sh");  // rkt's default, which apps and scripts may rely on
  if (in.user.entry) {
    env.set("HOME", in.user.entry->home.empty() ? "/" : in.user.entry->home);
    env.set("USER", in.user.entry->name);
    env.set("LOGNAME", in.user.entry->name);
  } else if (in.user.uid == 0) {
    env.set("HOME", "/root");
    env.set("USER", "root");
    env.set("LOGNAME", "root");
  } else {
    env.set("HOME", "/");
  }
  env.set("container", "pod");
  if (in.term) env.set("TERM", *in.term);
  for (const auto& kv : in.app_environment) env.set(kv.name, kv.value);
  env.set("AC_APP_NAME", in.app_name);
  if (in.metadata_url && !in.metadata_url->empty()) env.set("AC_METADATA_URL", *in.metadata_url);
  if (in.notify_socket && !in.notify_socket->empty()) env.set("NOTIFY_SOCKET", *in.notify_socket);
  if (in.listen_fds > 0) {
    env.set("LISTEN_FDS", std::to_string(in.listen_fds));
    env.set("LISTEN_PID", std::to_string(in.listen_pid));
    if (!in.listen_fdnames.empty()) env.set("LISTEN_FDNAMES", in.listen_fdnames);
    else (void)env.erase("LISTEN_FDNAMES");
  } else {
    for (const char* name : {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"}) (void)env.erase(name);
  }
  return env;
}

std::vector<std::string> environment_strings(const aci::Environment& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& kv : env) out.push_back(kv.name + "=" + kv.value);
  return out;
}

}  // namespace pod::stage2
