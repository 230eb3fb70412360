#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"

namespace pod::cli {

Command cat_manifest_command() {
  Command c;
  c.name = "cat-manifest";
  c.summary = "Print the pod manifest of a pod";
  c.usage = "pod cat-manifest [--pretty-print=false] UUID";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()
        ("pretty-print", "indent the JSON (rkt's default; --pretty-print=false for one line)",
         cxxopts::value<bool>()->default_value("true"));
    p.add_pod_args(false);
    auto res = p.parse(inv.args, inv.global);
    const PodArgs named = pod_args(res);
    pods::Pod pod = pods::open_pod_arg(inv.global.dir, named.uuids, named.uuid_file);
    std::string path = pod.file(pods::pod_file::kManifest);
    if (!path_exists(path)) {
      Error e("pod " + pod.uuid() + " has no manifest yet (" +
              std::string(pods::state_name(pod.state())) + ")");
      e.set_hint("wait until it is prepared");
      throw e;
    }
    auto j = nlohmann::ordered_json::parse(read_file(path));
    std::string out = res["pretty-print"].as<bool>() ? j.dump(1, '\t') : j.dump();
    std::printf("%s\n", out.c_str());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
