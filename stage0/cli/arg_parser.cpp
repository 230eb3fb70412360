#include <cstdlib>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/cli.hpp"

namespace pod::cli {

namespace {
constexpr const char* kGlobalGroup = "global";

// The first name cxxopts quotes in its message (‘name’ or 'name'), or "".
std::string quoted_in(const std::string& text) {
  for (auto [l, r] : {std::pair<std::string_view, std::string_view>{"\u2018", "\u2019"},
                      {"'", "'"}}) {
    auto b = text.find(l);
    if (b == std::string::npos) continue;
    b += l.size();
    auto e = text.find(r, b);
    if (e != std::string::npos) return text.substr(b, e - b);
  }
  return {};
}

std::string as_flag(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

// cxxopts' own words ("Option ‘x’ does not exist") turned into pod's.
std::string usage_message(const std::string& cmd, const cxxopts::exceptions::exception& e) {
  std::string q = quoted_in(e.what());
  if (dynamic_cast<const cxxopts::exceptions::no_such_option*>(&e))
    return "pod " + cmd + ": unknown flag " + as_flag(q);
  if (dynamic_cast<const cxxopts::exceptions::missing_argument*>(&e) ||
      dynamic_cast<const cxxopts::exceptions::option_requires_argument*>(&e))
    return "pod " + cmd + ": flag " + as_flag(q) + " needs a value (" + as_flag(q) + "=VALUE)";
  if (dynamic_cast<const cxxopts::exceptions::incorrect_argument_type*>(&e))
    return "pod " + cmd + ": invalid flag value \"" + q +
           "\" (a yes/no flag takes true or false, a number flag a number)";
  if (dynamic_cast<const cxxopts::exceptions::gratuitous_argument_for_option*>(&e))
    return "pod " + cmd + ": flag " + as_flag(q) + " takes no value";
  if (dynamic_cast<const cxxopts::exceptions::invalid_option_syntax*>(&e))
    return "pod " + cmd + ": cannot understand \"" + q + "\" as a flag";
  return "pod " + cmd + ": " + e.what();
}
}  // namespace

void add_global_flags(cxxopts::Options& opts) {
  opts.add_options(kGlobalGroup)
      ("dir", "pod data directory", cxxopts::value<std::string>()->default_value("/var/lib/pod"))
      ("local-config", "local configuration directory",
       cxxopts::value<std::string>()->default_value("/etc/pod"))
      ("system-config", "system configuration directory",
       cxxopts::value<std::string>()->default_value("/usr/lib/pod"))
      ("user-config", "user configuration directory (default $HOME/.config/pod)",
       cxxopts::value<std::string>())
      ("docker-config", "Docker config.json with registry credentials for docker:// images "
       "(default ~/.docker/config.json)", cxxopts::value<std::string>())
      ("insecure-options",
       "comma-separated list of security features to disable: none, image, tls, http, pubkey, "
       "ondisk, capabilities, paths, seccomp, run-all, all-fetch, all",
       cxxopts::value<std::string>()->default_value("none"))
      ("debug", "print out more debug information to stderr",
       cxxopts::value<bool>()->default_value("false"))
      ("trust-keys-from-https", "automatically trust gpg keys fetched from https",
       cxxopts::value<bool>()->default_value("false"))
      ("h,help", "help for this command");
}

std::set<std::string> parse_insecure_options(const std::string& list) {
  static const std::vector<std::string> fetch_set = {"image", "tls", "http", "pubkey", "ondisk"};
  static const std::vector<std::string> run_set = {"capabilities", "paths", "seccomp"};
  std::set<std::string> out;
  for (const auto& raw : split(list, ',')) {
    std::string v(trim(raw));
    if (v.empty() || v == "none") continue;
    if (v == "all-fetch") {
      out.insert(fetch_set.begin(), fetch_set.end());
    } else if (v == "all-run" || v == "run-all") {
      out.insert(run_set.begin(), run_set.end());
    } else if (v == "all") {
      out.insert(fetch_set.begin(), fetch_set.end());
      out.insert(run_set.begin(), run_set.end());
    } else if (std::find(fetch_set.begin(), fetch_set.end(), v) != fetch_set.end() ||
               std::find(run_set.begin(), run_set.end(), v) != run_set.end()) {
      out.insert(v);
    } else {
      throw UsageError("unknown --insecure-options value \"" + v + "\"", 0,
                       "valid values: none, image, tls, http, pubkey, ondisk, capabilities, "
                       "paths, seccomp, run-all, all-fetch, all");
    }
  }
  return out;
}

void read_global_flags(const cxxopts::ParseResult& res, GlobalOptions& g) {
  if (res.count("dir")) g.dir = res["dir"].as<std::string>();
  if (res.count("local-config")) g.local_config = res["local-config"].as<std::string>();
  if (res.count("system-config")) g.system_config = res["system-config"].as<std::string>();
  if (res.count("user-config")) g.user_config = res["user-config"].as<std::string>();
  if (res.count("docker-config")) g.docker_config = res["docker-config"].as<std::string>();
  if (res.count("insecure-options")) {
    auto more = parse_insecure_options(res["insecure-options"].as<std::string>());
    g.insecure.insert(more.begin(), more.end());
  }
  if (res.count("debug")) g.debug = res["debug"].as<bool>();
  if (res.count("trust-keys-from-https"))
    g.trust_keys_from_https = res["trust-keys-from-https"].as<bool>();
  if (g.user_config.empty()) {
    const char* home = std::getenv("HOME");
    g.user_config = std::string(home && *home ? home : "/root") + "/.config/pod";
  }
}

ArgParser::ArgParser(const Command& cmd) : cmd_name_(cmd.name), opts_("pod " + cmd.name, cmd.summary) {
  std::string usage = cmd.usage;
  if (starts_with(usage, "pod ")) usage = usage.substr(4);
  opts_.custom_help("[flags]");
  opts_.set_width(100);
  opts_.positional_help(usage.substr(std::min(usage.size(), cmd.name.size())));
  add_global_flags(opts_);
}

void ArgParser::positional(std::vector<std::string> names, std::string help_line) {
  positional_ = std::move(names);
  if (!help_line.empty()) opts_.positional_help(help_line);
}

cxxopts::ParseResult ArgParser::parse(const std::vector<std::string>& args, GlobalOptions& global) {
  std::vector<std::string> argv_s = {"pod " + cmd_name_};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  if (!positional_.empty()) opts_.parse_positional(positional_);
  try {
    auto res = opts_.parse(static_cast<int>(argv.size()), argv.data());
    if (res.count("help")) throw HelpRequested{help()};
    read_global_flags(res, global);
    return res;
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(usage_message(cmd_name_, e));
  }
}

std::string ArgParser::help() const {
  std::vector<std::string> groups;
  for (const auto& g : opts_.groups())
    if (g != kGlobalGroup) groups.push_back(g);
  groups.push_back(kGlobalGroup);
  return opts_.help(groups);
}

void ArgParser::add_pod_args(bool many) {
  add()("uuid-file", "read the pod's UUID from this file", cxxopts::value<std::string>())(
      "uuid", many ? "pods" : "the pod", cxxopts::value<std::vector<std::string>>());
  positional({"uuid"}, many ? "UUID..." : "UUID");
}

PodArgs pod_args(const cxxopts::ParseResult& res) {
  PodArgs a;
  if (res.count("uuid")) a.uuids = res["uuid"].as<std::vector<std::string>>();
  if (res.count("uuid-file")) a.uuid_file = res["uuid-file"].as<std::string>();
  return a;
}

void require_no_arguments(const cxxopts::ParseResult& res, const std::string& command,
                          const std::string& hint) {
  if (res.unmatched().empty()) return;
  throw UsageError("pod " + command + " takes no arguments (got \"" + res.unmatched().front() + "\")",
                   0, hint);
}

}  // namespace pod::cli
