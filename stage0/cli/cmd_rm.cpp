#include <cstdio>

#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/gc.hpp"

namespace pod::cli {

Command rm_command() {
  Command c;
  c.name = "rm";
  c.summary = "Remove pods that are not running";
  c.usage = "pod rm [--uuid-file=FILE] UUID...";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add_pod_args(true);
    auto res = p.parse(inv.args, inv.global);
    const PodArgs named = pod_args(res);
    Logger log = inv.global.logger();
    return for_each_pod(inv.global.dir, named, [&](const std::string& uuid) {
      with_context("removing pod " + uuid, [&] {
        pods::Pod pod = pods::Pod::open(inv.global.dir, uuid);
        if (!pod.lock_exclusive_unless_in_use()) {
          Error e("the pod is " + std::string(pods::state_name(pod.state())));
          e.set_hint("stop it first with 'pod stop " + uuid + "'");
          throw e;
        }
        // Out of sight of list and run-prepared first, then gone.
        bool ran = pod.dir_state() == pods::DirState::run ||
                   pod.dir_state() == pods::DirState::exited_garbage;
        pod.move_to(ran ? pods::DirState::exited_garbage : pods::DirState::garbage);
        pods::discard_pod(pod, log);
      });
      std::printf("\"%s\"\n", uuid.c_str());  // quoted, as rkt prints it
    });
  };
  return c;
}

}  // namespace pod::cli
