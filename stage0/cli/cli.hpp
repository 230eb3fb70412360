// The command framework of the `pod` CLI: global flags (rkt's), one Command per
// subcommand, and a parser that gives every command the global flags too, so
// `pod --debug run X` and `pod run --debug X` mean the same, as with rkt.
#pragma once

#include <cxxopts.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"

namespace pod::cli {

struct GlobalOptions {
  std::string dir = "/var/lib/pod";
  std::string local_config = "/etc/pod";
  std::string system_config = "/usr/lib/pod";
  std::string user_config;  // $HOME/.config/pod unless given
  // Docker's config.json for docker:// credentials ("" = $DOCKER_CONFIG or ~/.docker).
  std::string docker_config;
  // rkt's --insecure-options values: image, tls, http, pubkey, ondisk, capabilities,
  // paths, seccomp, run-all, all-fetch, all (expanded here to what they cover).
  std::set<std::string> insecure;
  bool debug = false;
  bool trust_keys_from_https = false;

  [[nodiscard]] bool is_insecure(const std::string& what) const { return insecure.count(what) > 0; }
  [[nodiscard]] Logger logger() const { return Logger(debug); }
};

// The exit status of every failure of pod itself, usage errors included, as rkt's: a
// systemd unit or a scheduler can tell it from an app's own status, which `pod run` returns.
inline constexpr int kExitFailure = 254;

// Thrown by a parser when --help was given: main prints it and exits 0.
struct HelpRequested {
  std::string text;
};

class Command;

// Parses one command's arguments: its own flags plus the global ones.
class ArgParser {
 public:
  explicit ArgParser(const Command& cmd);
  // Adds this command's flags: parser.add()("name", "help", cxxopts::value<T>()).
  cxxopts::OptionAdder add() { return opts_.add_options(cmd_name_); }
  // Names positional arguments, in order; the last may take many (vector<string>).
  void positional(std::vector<std::string> names, std::string help_line);
  // Parses; updates `global` with global flags found. Throws UsageError or HelpRequested.
  [[nodiscard]] cxxopts::ParseResult parse(const std::vector<std::string>& args,
                                           GlobalOptions& global);
  [[nodiscard]] std::string help() const;
  // The pod arguments of rm, stop, status, cat-manifest: UUID positionals (`many` or one)
  // and --uuid-file, as rkt has them; read them back with pod_args().
  void add_pod_args(bool many);

 private:
  std::string cmd_name_;
  cxxopts::Options opts_;
  std::vector<std::string> positional_;
};

struct Invocation {
  GlobalOptions global;
  std::vector<std::string> args;  // everything after the command's name, globals included
};

class Command {
 public:
  std::string name;     // "version", "image build"
  std::string summary;  // one line for `pod help`
  std::string usage;    // "pod image build [flags] DIR OUT.aci"
  std::string description;  // a paragraph for `pod help CMD`, may be empty
  // Runs the command; returns the exit status.
  std::function<int(Invocation&)> run;
};

// Every command, in the order `pod help` lists them.
[[nodiscard]] const std::vector<Command>& all_commands();

// Adds the global flags to a cxxopts::Options (used by every parser).
void add_global_flags(cxxopts::Options& opts);
// Reads global flags out of a parse result into `global`.
void read_global_flags(const cxxopts::ParseResult& res, GlobalOptions& global);
// Expands and validates an --insecure-options list.
[[nodiscard]] std::set<std::string> parse_insecure_options(const std::string& list);

// Throws UsageError when a command that takes no arguments got some (a stray word must
// never be ignored: `pod gc extra` silently collecting everything would surprise).
void require_no_arguments(const cxxopts::ParseResult& res, const std::string& command,
                          const std::string& hint = {});

// The pods named by add_pod_args()'s arguments.
struct PodArgs {
  std::vector<std::string> uuids;
  std::optional<std::string> uuid_file;
};
[[nodiscard]] PodArgs pod_args(const cxxopts::ParseResult& res);
// Runs `one` for each pod named (UUIDs or prefixes resolved); a failure is printed and the
// next pod is tried, as rkt does. Returns 0, or kExitFailure when any failed.
[[nodiscard]] int for_each_pod(const std::string& data_dir, const PodArgs& named,
                               const std::function<void(const std::string& uuid)>& one);

// Prints an error and its hint on stderr as main does ("pod: error: ..."), for commands
// that report a failure on one of their arguments and go on with the next.
void print_error(const Error& e, bool usage = false);

// The entry point: returns the process exit status.
int main_entry(int argc, char** argv);

}  // namespace pod::cli
