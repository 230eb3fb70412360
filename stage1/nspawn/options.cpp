#include "stage1/nspawn/options.hpp"

#include <charconv>
#include <optional>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1::nspawn {
namespace {

// "--name", "--name=value" or "--name value" (rkt's Go flag syntax; booleans take only
// the first two).
struct Flag {
  std::string name;
  std::optional<std::string> value;
};

std::optional<Flag> split_flag(const std::string& arg) {
  if (!starts_with(arg, "-") || arg == "-" || arg == "--") return std::nullopt;
  std::string body = arg.substr(starts_with(arg, "--") ? 2 : 1);
  auto eq = body.find('=');
  if (eq == std::string::npos) return Flag{body, std::nullopt};
  return Flag{body.substr(0, eq), body.substr(eq + 1)};
}

bool bool_value(const Flag& f) {
  if (!f.value || *f.value == "true" || *f.value == "1") return true;
  if (*f.value == "false" || *f.value == "0") return false;
  throw UsageError("--" + f.name + "=" + *f.value + ": expected true or false");
}

std::string take_value(const Flag& f, const std::vector<std::string>& args, size_t& i) {
  if (f.value) return *f.value;
  if (i + 1 >= args.size()) throw UsageError("--" + f.name + " needs a value");
  return args[++i];
}

void append_list(std::vector<std::string>& out, const std::string& value) {
  for (auto& v : split(value, ','))
    if (!v.empty()) out.push_back(v);
}

}  // namespace

RunOptions parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    auto f = split_flag(args[i]);
    if (!f) {
      if (!o.uuid.empty()) throw UsageError("unexpected argument \"" + args[i] + "\"");
      o.uuid = args[i];
      continue;
    }
    const std::string& n = f->name;
    if (n == "debug") o.debug = bool_value(*f);
    else if (n == "interactive") o.interactive = bool_value(*f);
    else if (n == "disable-capabilities-restriction") o.disable_capabilities_restriction = bool_value(*f);
    else if (n == "disable-paths") o.disable_paths = bool_value(*f);
    else if (n == "disable-seccomp") o.disable_seccomp = bool_value(*f);
    else if (n == "private-users") o.private_users = bool_value(*f);
    else if (n == "net") o.net.push_back(take_value(*f, args, i));
    else if (n == "hostname") o.hostname = take_value(*f, args, i);
    else if (n == "dns") append_list(o.dns, take_value(*f, args, i));
    else if (n == "dns-search") append_list(o.dns_search, take_value(*f, args, i));
    else if (n == "dns-opt") append_list(o.dns_opt, take_value(*f, args, i));
    else if (n == "dns-domain") o.dns_domain = take_value(*f, args, i);
    else if (n == "hosts-entry") o.hosts_entries.push_back(take_value(*f, args, i));
    else if (n == "local-config") o.local_config = take_value(*f, args, i);
    else if (n == "system-config") o.system_config = take_value(*f, args, i);
    else if (n == "mds-token") o.mds_token = take_value(*f, args, i);
    else if (n == "mds-port") o.mds_port = take_value(*f, args, i);
    else o.unknown.push_back(args[i]);
  }
  if (o.uuid.empty()) throw UsageError("the pod's UUID is missing (run [flags] UUID)");
  return o;
}

EnterOptions parse_enter_options(const std::vector<std::string>& args) {
  EnterOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--") {
      ++i;
      break;
    }
    auto f = split_flag(args[i]);
    if (!f) break;  // the command starts here
    if (f->name == "pid") {
      std::string v = take_value(*f, args, i);
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.pid);
      if (ec != std::errc() || end != v.data() + v.size() || o.pid <= 0)
        throw UsageError("--pid=" + v + ": not a process id");
    } else if (f->name == "appname") {
      o.app = take_value(*f, args, i);
    } else if (f->name == "debug") {
      o.debug = bool_value(*f);
    } else {
      throw UsageError("enter: unknown flag " + args[i]);
    }
  }
  o.command.assign(args.begin() + static_cast<long>(i), args.end());
  if (o.pid == 0) throw UsageError("enter: --pid is required");
  return o;
}

StopOptions parse_stop_options(const std::vector<std::string>& args) {
  StopOptions o;
  for (const auto& a : args) {
    auto f = split_flag(a);
    if (f && f->name == "force") o.force = bool_value(*f);
    else if (f) throw UsageError("stop: unknown flag " + a);
    else if (o.uuid.empty()) o.uuid = a;
    else throw UsageError("stop: unexpected argument \"" + a + "\"");
  }
  if (o.uuid.empty()) throw UsageError("stop: the pod's UUID is missing");
  return o;
}

GcOptions parse_gc_options(const std::vector<std::string>& args) {
  GcOptions o;
  for (const auto& a : args) {
    auto f = split_flag(a);
    if (f && f->name == "debug") o.debug = bool_value(*f);
    else if (f) continue;  // flags of newer stage0s
    else if (o.uuid.empty()) o.uuid = a;
    else throw UsageError("gc: unexpected argument \"" + a + "\"");
  }
  if (o.uuid.empty()) throw UsageError("gc: the pod's UUID is missing");
  return o;
}

}  // namespace pod::stage1::nspawn
