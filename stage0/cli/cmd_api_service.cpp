// `pod api-service`: execs pod-api-service (api-service/), so that the gRPC and protobuf
// libraries are loaded only by the service, never by the pod commands.
#include <string>
#include <vector>

#include "stage0/cli/commands.hpp"
#include "stage0/cli/service_exec.hpp"

namespace pod::cli {

Command api_service_command() {
  Command c;
  c.name = "api-service";
  c.summary = "Serve the read-only gRPC API (rkt's v1alpha) about pods and images";
  c.usage = "pod api-service [--listen=ADDR:PORT|unix:PATH] [--allow-non-loopback]";
  c.run = [](Invocation& inv) -> int {
    std::vector<std::string> args;
    args.insert(args.end(), inv.args.begin(), inv.args.end());
    exec_service("pod-api-service", "api-service", args);
  };
  return c;
}

}  // namespace pod::cli
