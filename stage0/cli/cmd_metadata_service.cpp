// `pod metadata-service`: execs pod-metadata-service (mds/), so that the server and its
// sockets live in a process of their own and `pod` starts as fast as before.
#include <string>
#include <vector>

#include "stage0/cli/commands.hpp"
#include "stage0/cli/service_exec.hpp"

namespace pod::cli {

Command metadata_service_command() {
  Command c;
  c.name = "metadata-service";
  c.summary = "Serve the appc metadata service (AC_METADATA_URL) to pods run with --mds-register";
  c.usage = "pod metadata-service [--listen-port=PORT] [--socket=PATH] [--debug]";
  c.run = [](Invocation& inv) -> int {
    std::vector<std::string> args;
    if (inv.global.debug) args.emplace_back("--debug");
    args.insert(args.end(), inv.args.begin(), inv.args.end());
    exec_service("pod-metadata-service", "mds", args);
  };
  return c;
}

}  // namespace pod::cli
