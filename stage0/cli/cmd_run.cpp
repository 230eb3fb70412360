#include <cstdio>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/run_prepare_flags.hpp"
#include "stage0/pods/resolve.hpp"

namespace pod::cli {

Command run_command() {
  Command c;
  c.name = "run";
  c.summary = "Run images in a new pod";
  c.usage = "pod run [flags] IMAGE [app flags] [-- ARGS...] [--- IMAGE [app flags] [-- ARGS...]]...";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    add_run_prepare_flags(p, true);
    RunPrepareArgs args = parse_run_prepare(p, inv, true);
    args.request.durable = false;
    Logger log = inv.global.logger();
    // The store stays open until stage1 replaces this process: its fds are O_CLOEXEC, and
    // closing it ourselves would checkpoint the SQLite WAL with an fsync on every start.
    store::Store st = store::Store::open(inv.global.dir, log);
    std::optional<pods::Pod> pod;
    pod.emplace(pods::prepare_pod(inv.global.dir, st, args.request, log));
    try {
      if (args.uuid_file_save) pods::write_uuid_file(*args.uuid_file_save, pod->uuid());
      // Straight from prepare to run, keeping the lock: nobody sees a prepared pod in between.
      pod->move_to(pods::DirState::run);
    } catch (...) {
      pod->destroy();
      throw;
    }
    try {
      pods::exec_pod(*pod, args.run, log);
    } catch (const Error&) {
      // Stage1 never started: the pod never ran, so it is not left behind as "exited".
      try {
        pod->destroy();
      } catch (const Error& e) {
        log.warn("removing pod " + pod->uuid() + " that could not start: " + e.what());
      }
      throw;
    }
  };
  return c;
}

Command prepare_command() {
  Command c;
  c.name = "prepare";
  c.summary = "Prepare a pod to run later with run-prepared; prints its UUID";
  c.usage = "pod prepare [flags] IMAGE [app flags] [-- ARGS...] [--- IMAGE ...]...";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    add_run_prepare_flags(p, false);
    RunPrepareArgs args = parse_run_prepare(p, inv, false);
    Logger log = inv.global.logger();
    store::Store st = store::Store::open(inv.global.dir, log);
    pods::Pod pod = pods::prepare_pod(inv.global.dir, st, args.request, log);
    try {
      if (args.uuid_file_save) pods::write_uuid_file(*args.uuid_file_save, pod.uuid());
      if (args.run.no_overlay) write_file_atomic(pod.file(pods::pod_file::kNoOverlay), "");
      pod.move_to(pods::DirState::prepared);
    } catch (...) {
      pod.destroy();
      throw;
    }
    std::printf("%s\n", pod.uuid().c_str());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
