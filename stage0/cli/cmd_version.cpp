#include <cstdio>

#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/version.hpp"

namespace pod::cli {

// rkt's feature words (scripts test for them): pod does no TPM measurement.
constexpr const char* kFeatures = "-TPM";

Command version_command() {
  Command c;
  c.name = "version";
  c.summary = "Print the version and exit";
  c.usage = "pod version [--format=json]";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("format", "output format: text or json",
            cxxopts::value<std::string>()->default_value("text"));
    auto res = p.parse(inv.args, inv.global);
    require_no_arguments(res, "version");
    std::string fmt = res["format"].as<std::string>();
    if (fmt == "json") {
      std::printf("{\"version\":\"%s\",\"appcVersion\":\"%s\",\"features\":\"%s\","
                  "\"defaultStage1\":\"%s\"}\n",
                  kPodVersion, kAppcVersion, kFeatures, kDefaultStage1Flavor);
    } else if (fmt == "text") {
      // rkt's lines first (scripts grep "Features:"), then pod's own.
      std::printf("pod Version: %s\nappc Version: %s\nFeatures: %s\nDefault stage1 flavor: %s\n",
                  kPodVersion, kAppcVersion, kFeatures, kDefaultStage1Flavor);
    } else {
      throw UsageError("unknown --format \"" + fmt + "\"", 0, "use text or json");
    }
    return 0;
  };
  return c;
}

}  // namespace pod::cli
