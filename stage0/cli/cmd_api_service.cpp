// `pod api-service`: execs pod-api-service (api-service/), so that the gRPC and protobuf
// libraries are loaded only by the service, never by the pod commands.
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"

namespace pod::cli {

namespace {

constexpr const char* kServiceBinary = "pod-api-service";

// Beside the pod binary (installed), then where the build tree puts it.
std::vector<std::string> service_candidates() {
  std::vector<std::string> out;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir = parent_dir(std::string(self, static_cast<size_t>(n)));
    out.push_back(dir + "/" + kServiceBinary);
    out.push_back(parent_dir(dir) + "/api-service/" + kServiceBinary);
  }
  return out;
}

}  // namespace

Command api_service_command() {
  Command c;
  c.name = "api-service";
  c.summary = "Serve the read-only gRPC API (rkt's v1alpha) about pods and images";
  c.usage = "pod api-service [--listen=ADDR:PORT|unix:PATH] [--allow-non-loopback]";
  c.run = [](Invocation& inv) -> int {
    std::vector<std::string> args{kServiceBinary};
    args.insert(args.end(), inv.args.begin(), inv.args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> tried;
    for (const auto& path : service_candidates()) {
      ::execv(path.c_str(), argv.data());
      tried.push_back(path);
    }
    ::execvp(kServiceBinary, argv.data());
    tried.push_back("$PATH");
    throw Error(std::string(kServiceBinary) + " is not installed: looked in " + join(tried, ", "),
                errno, "install pod-api-service beside the pod binary");
  };
  return c;
}

}  // namespace pod::cli
