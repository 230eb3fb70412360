// pod init's command line. The flavor's run entrypoint builds it (stage1/nspawn/
// nspawn_command.cpp); pod init runs as PID 1 with the stage1 rootfs as "/".
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::init {

struct InitOptions {
  std::string uuid;
  std::string launcher;                 // the stage2 launcher inside the stage1 rootfs
  std::string pod_manifest = "/rkt/pod";
  std::string appsinfo = "/rkt/appsinfo";  // <appsinfo>/<app>/manifest
  std::string host_volumes = "/rkt/host-volumes";  // <dir>/<volume>: host volumes bound in
  bool debug = false;
  bool interactive = false;
  bool disable_capabilities_restriction = false;
  bool disable_paths = false;
  bool disable_seccomp = false;
  std::vector<std::string> dns;         // --dns (rkt's values, see host_files.hpp)
  int stop_timeout_ms = 10000;          // SIGTERM -> SIGKILL
  long long log_max_bytes = 10 * 1024 * 1024;  // per file, before rotation
  bool notify = false;                  // send READY=1 to $NOTIFY_SOCKET once the apps are ready
  // A mutable pod (`pod app sandbox`): apps may be none, come and go through the control
  // socket at `control` (control.hpp), and an app's end does not stop the pod.
  bool mutable_pod = false;
  std::string control;
};

// Throws UsageError naming the bad argument.
[[nodiscard]] InitOptions parse_init_options(const std::vector<std::string>& args);

}  // namespace pod::stage1::init
