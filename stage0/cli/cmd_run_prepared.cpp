#include <cstdio>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/launch.hpp"

namespace pod::cli {

Command run_prepared_command() {
  Command c;
  c.name = "run-prepared";
  c.summary = "Run a prepared pod";
  c.usage = "pod run-prepared [flags] UUID";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    auto str = [] { return cxxopts::value<std::string>(); };
    p.add()
        ("net", "networks to join (repeatable, comma-separated)", str())
        ("dns", "name server for the pod (repeatable)", str())
        ("hostname", "the pod's hostname", str())
        ("interactive", "run the app interactively", cxxopts::value<bool>()->default_value("false"))
        ("mds-register", "register the pod with the running metadata service (pod metadata-service); "
                         "its apps get AC_METADATA_URL", cxxopts::value<bool>()->default_value("false"))
        ("uuid", "the pod", cxxopts::value<std::vector<std::string>>());
    p.positional({"uuid"}, "UUID");
    auto res = p.parse(inv.args, inv.global);
    const auto& g = inv.global;
    std::vector<std::string> uuids;
    if (res.count("uuid")) uuids = res["uuid"].as<std::vector<std::string>>();
    pods::Pod pod = pods::open_pod_arg(g.dir, uuids, std::nullopt);

    if (!pod.lock_exclusive_unless_in_use()) {
      Error e("pod " + pod.uuid() + " is " + std::string(pods::state_name(pod.state())) +
              ", not prepared");
      e.set_hint("only a prepared pod can be run; 'pod status " + pod.uuid() + "' tells more");
      throw e;
    }
    if (pod.dir_state() != pods::DirState::prepared) {
      Error e("pod " + pod.uuid() + " is " +
              std::string(pods::state_name(pods::observed_state(pod.dir_state(), false))) +
              ", not prepared");
      e.set_hint(pod.dir_state() == pods::DirState::run
                     ? "a pod runs once; prepare or run a new one"
                     : "only a prepared pod can be run");
      throw e;
    }
    pods::RunFlags run;
    run.debug = g.debug;
    for (const auto& kv : res.arguments()) {
      if (kv.key() == "net") {
        for (const auto& n : split(kv.value(), ','))
          if (!n.empty()) run.net.push_back(n);
      } else if (kv.key() == "dns") {
        run.dns.push_back(kv.value());
      }
    }
    if (res.count("hostname")) run.hostname = res["hostname"].as<std::string>();
    run.interactive = res["interactive"].as<bool>();
    run.mds_register = res["mds-register"].as<bool>();
    pods::check_mds_register(run);
    run.local_config = g.local_config;
    run.system_config = g.system_config;
    run.disable_capabilities = g.is_insecure("capabilities");
    run.disable_paths = g.is_insecure("paths");
    run.disable_seccomp = g.is_insecure("seccomp");
    pod.move_to(pods::DirState::run);
    pods::exec_pod(pod, run, g.logger());
  };
  return c;
}

}  // namespace pod::cli
