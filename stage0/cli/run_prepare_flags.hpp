// The flags `pod run` and `pod prepare` share (rkt's), parsed into a preparation
// request: pod flags through the command's ArgParser, per-app flags by split_run_args.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Every value of a repeatable flag, in order (cxxopts keeps only the last in as<>()).
[[nodiscard]] std::vector<std::string> all_values(const cxxopts::ParseResult& res, const std::string& key);
// "NAME=VALUE" of --`flag`, or a UsageError naming the flag.
[[nodiscard]] std::pair<std::string, std::string> name_value(const std::string& text, const std::string& flag);

// The pieces `pod app sandbox` shares with run and prepare; each reads only the flags the
// command declared (a flag it lacks counts as not given).
// --user-annotation and --user-label into `pod`.
void read_pod_label_flags(const cxxopts::ParseResult& res, pods::PodOptions& pod);
// At most one of --stage1-name, -path, -url, -hash, -from-dir.
void read_stage1_flags(const cxxopts::ParseResult& res, pods::Stage1Selection& stage1);
// Where images come from and how they are checked, from the global flags.
void set_image_sources(const GlobalOptions& g, pods::ImageSourceOptions& sources);
// --net, --dns, --dns-search, --dns-opt, --dns-domain, --hosts-entry, --hostname, and what
// the global flags say about the pod's isolation.
void read_pod_run_flags(const cxxopts::ParseResult& res, const GlobalOptions& g, pods::RunFlags& run);

// Declares the shared pod flags on `p` (per-app flags are parsed by split_run_args).
void add_run_prepare_flags(ArgParser& p, bool for_run);
// Parses everything; throws UsageError/HelpRequested.
[[nodiscard]] RunPrepareArgs parse_run_prepare(ArgParser& p, Invocation& inv, bool for_run);

}  // namespace pod::cli
