#include <csignal>
#include <cstdio>

#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/stage1_exec.hpp"

namespace pod::cli {

namespace {

void stop_one(const std::string& dir, const std::string& uuid, bool force, const Logger& log) {
  with_context("stopping pod " + uuid, [&] {
    pods::Pod pod = pods::Pod::open(dir, uuid);
    pods::PodState state = pod.state();
    if (state != pods::PodState::running) {
      Error e("the pod is " + std::string(pods::state_name(state)) + ", not running");
      e.set_hint("only a running pod can be stopped");
      throw e;
    }
    pods::Stage1Image s1 = pods::load_stage1(pod);
    if (!s1.entrypoint(pods::kEntrypointStop).empty()) {
      std::vector<std::string> args;
      if (force) args.push_back("--force");
      args.push_back(uuid);
      int rc = pods::run_entrypoint(pod, s1, pods::kEntrypointStop, args, log);
      if (rc != 0) throw Error("the stage1 stop entrypoint exited " + std::to_string(rc));
      return;
    }
    // A stage1 without a stop entrypoint: signal the pod's main process ourselves.
    auto info = pods::read_pod_info(pod);
    if (!info.pid) throw Error("the pod has not written its pid yet; try again in a moment");
    check_sys(::kill(*info.pid, force ? SIGKILL : SIGTERM),
              "signalling process " + std::to_string(*info.pid));
  });
}

}  // namespace

Command stop_command() {
  Command c;
  c.name = "stop";
  c.summary = "Stop running pods";
  c.usage = "pod stop [--force] [--uuid-file=FILE] UUID...";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()
        ("force", "kill the pod at once (SIGKILL) instead of stopping it cleanly",
         cxxopts::value<bool>()->default_value("false"));
    p.add_pod_args(true);
    auto res = p.parse(inv.args, inv.global);
    const PodArgs named = pod_args(res);
    Logger log = inv.global.logger();
    return for_each_pod(inv.global.dir, named, [&](const std::string& uuid) {
      stop_one(inv.global.dir, uuid, res["force"].as<bool>(), log);
      std::printf("%s\n", uuid.c_str());
    });
  };
  return c;
}

}  // namespace pod::cli
