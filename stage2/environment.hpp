// The app's environment as the appc execution environment (ace.md) and rkt define it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aci/names.hpp"
#include "stage2/passwd.hpp"

namespace pod::stage2 {

// The variable stage1 may set in the launcher's environment instead of --metadata-url.
constexpr const char* kMetadataUrlEnv = "POD_METADATA_URL";

inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct EnvironmentInputs {
  std::string app_name;
  std::optional<std::string> metadata_url;
  std::optional<std::string> notify_socket;  // apps that support sd_notify (pod init listens)
  aci::Environment app_environment;
  ResolvedUser user;
  std::optional<std::string> term;  // the caller's TERM, passed on for interactive pods
  // Socket activation (sd_listen_fds(3)): the app's fds 3.. are `listen_fds` sockets;
  // LISTEN_PID is the app's own pid (the launcher's, which execs the app).
  int listen_fds = 0;
  std::string listen_fdnames;
  long listen_pid = 0;
};

// In order, later entries replacing earlier ones of the same name:
//   PATH (the spec's default), HOME/USER/LOGNAME from the user's passwd entry ("/" and
//   nothing else for a uid without one; /root and root for uid 0), container=pod, TERM,
//   then the app's own environment, and last AC_APP_NAME, AC_METADATA_URL, NOTIFY_SOCKET
//   and LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, which the executor owns (an app cannot fake
//   its own name). Without passed sockets, the LISTEN_* names are removed even when the
//   app's own environment has them: no app believes it was socket-activated when it was not.
[[nodiscard]] aci::Environment build_environment(const EnvironmentInputs& in);

// "NAME=value" strings for execve.
[[nodiscard]] std::vector<std::string> environment_strings(const aci::Environment& env);

}  // namespace pod::stage2
