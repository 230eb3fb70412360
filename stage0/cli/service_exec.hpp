// The services (`pod api-service`, `pod metadata-service`) are executables of their own, so
// that what they link (gRPC, an HTTP server) and their sockets never weigh on `pod`'s
// start: the command execs them.
#pragma once

#include <string>
#include <vector>

namespace pod::cli {

// Execs BINARY with ARGS (argv[0] is BINARY): beside the pod binary (installed), then in
// the build tree's BUILD_SUBDIR, then through $PATH. Throws, naming every place looked in,
// when none works.
[[noreturn]] void exec_service(const std::string& binary, const std::string& build_subdir,
                               const std::vector<std::string>& args);

}  // namespace pod::cli
