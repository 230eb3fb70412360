// `pod metadata-service`: execs pod-metadata-service (mds/), so that the server and its
// sockets live in a process of their own and `pod` starts as fast as before.
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"

namespace pod::cli {

namespace {

constexpr const char* kServiceBinary = "pod-metadata-service";

// Beside the pod binary (installed), then where the build tree puts it.
std::vector<std::string> service_candidates() {
  std::vector<std::string> out;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir = parent_dir(std::string(self, static_cast<size_t>(n)));
    out.push_back(dir + "/" + kServiceBinary);
    out.push_back(parent_dir(dir) + "/mds/" + kServiceBinary);
  }
  return out;
}

}  // namespace

Command metadata_service_command() {
  Command c;
  c.name = "metadata-service";
  c.summary = "Serve the appc metadata service (AC_METADATA_URL) to pods run with --mds-register";
  c.usage = "pod metadata-service [--listen-port=PORT] [--socket=PATH] [--debug]";
  c.run = [](Invocation& inv) -> int {
    std::vector<std::string> args{kServiceBinary};
    if (inv.global.debug) args.emplace_back("--debug");
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
                errno, "install pod-metadata-service beside the pod binary");
  };
  return c;
}

}  // namespace pod::cli
