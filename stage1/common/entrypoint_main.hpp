// The main of a flavor's multi-call binary: it dispatches on the name it was called by
// (run, enter, stop, gc: symlinks to one binary) or, called as itself, on the first
// argument, and turns an error into a message and the flavor's exit status.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace pod::stage1 {

using Entrypoint = std::function<int(const std::vector<std::string>& args)>;

struct FlavorEntrypoints {
  std::string binary;  // "fly": the name in the usage line, "stage1-fly" in messages
  Entrypoint run, enter, stop, gc;
  // Exit statuses for a bad command line and for another failure; `run` may differ
  // from the rest (its status is `pod run`'s, so it must not look like an app's).
  int usage_status = 2;
  int run_failure_status = 254;
  int other_failure_status = 1;
};

// A mutable pod's app entrypoints (app-add, app-start, app-stop, app-rm), for the
// flavors that have them (Documentation/stage1-abi.md).
struct AppEntrypoints {
  Entrypoint add, start, stop, rm;
};

[[nodiscard]] int entrypoint_main(const std::vector<std::string>& argv, const FlavorEntrypoints& flavor,
                                  const AppEntrypoints& apps = {});

}  // namespace pod::stage1
