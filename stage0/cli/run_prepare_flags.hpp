// The flags `pod run` and `pod prepare` share (rkt's), parsed into a preparation
// request: pod flags through the command's ArgParser, per-app flags by split_run_args.
#pragma once

#include <optional>
#include <string>

#include "stage0/cli/cli.hpp"
#include "stage0/pods/launch.hpp"
#include "stage0/pods/prepare.hpp"

namespace pod::cli {

struct RunPrepareArgs {
  pods::PrepareRequest request;
  pods::RunFlags run;
  std::optional<std::string> uuid_file_save;
  bool quiet = false;
};

// Declares the shared pod flags on `p` (per-app flags are parsed by split_run_args).
void add_run_prepare_flags(ArgParser& p, bool for_run);
// Parses everything; throws UsageError/HelpRequested.
[[nodiscard]] RunPrepareArgs parse_run_prepare(ArgParser& p, Invocation& inv, bool for_run);

}  // namespace pod::cli
