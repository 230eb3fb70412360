// The launcher's command line (Documentation/stage2.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stage2/rlimits.hpp"

namespace pod::stage2 {

struct LauncherOptions {
  std::string pod_dir;          // --pod-dir: reads DIR/pod and DIR/appsinfo/APP/manifest
  std::string pod_manifest;     // --pod-manifest=FILE (instead of --pod-dir)
  std::string image_manifest;   // --image-manifest=FILE (with --pod-manifest)
  std::string app;              // --app=NAME
  std::string root;             // --root=DIR: the app's rootfs to chroot into
  bool disable_capabilities_restriction = false;
  bool disable_seccomp = false;
  bool debug = false;
  bool interactive = false;     // pass TERM on
  bool replace_exec = false;    // the extra args are the whole command (enter)
  bool pivot_root = false;      // --pivot-root: own mount namespace + pivot_root, not chroot
  std::optional<std::string> metadata_url;
  std::optional<std::string> notify_socket;  // --notify-socket=ADDR: the app's NOTIFY_SOCKET
  // --listen-fds=N: fds 3..3+N-1 are sockets for the app (socket activation); the app gets
  // LISTEN_FDS=N, LISTEN_PID=its pid and --listen-fdnames=A:B as LISTEN_FDNAMES.
  int listen_fds = 0;
  std::string listen_fdnames;
  std::vector<RlimitSetting> rlimits;
  std::vector<std::string> extra_args;  // after "--"
  // --launch-error-fd=N: one byte is written there when the app could not be started, so
  // the caller tells a launch failure (a pod error) from the app's own exit status.
  int launch_error_fd = -1;
};

// Throws UsageError for an unknown flag or a missing required one.
[[nodiscard]] LauncherOptions parse_launcher_options(const std::vector<std::string>& args);

[[nodiscard]] std::string launcher_usage();

}  // namespace pod::stage2
