#include "stage1/common/entrypoint_options.hpp"

#include <algorithm>
#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1 {
namespace {

std::optional<EntrypointFlag> split_flag(const std::string& arg) {
  if (!starts_with(arg, "-") || arg == "-" || arg == "--") return std::nullopt;
  std::string body = arg.substr(starts_with(arg, "--") ? 2 : 1);
  auto eq = body.find('=');
  if (eq == std::string::npos) return EntrypointFlag{body, std::nullopt, arg};
  return EntrypointFlag{body.substr(0, eq), body.substr(eq + 1), arg};
}

// The one positional argument of stop and gc.
void take_uuid(std::string& uuid, const std::string& arg, const char* entrypoint) {
  if (!uuid.empty()) throw UsageError(std::string(entrypoint) + ": unexpected argument \"" + arg + "\"");
  uuid = arg;
}

}  // namespace

bool flag_bool(const EntrypointFlag& f) {
  if (!f.value || *f.value == "true" || *f.value == "1") return true;
  if (*f.value == "false" || *f.value == "0") return false;
  throw UsageError("--" + f.name + "=" + *f.value + ": expected true or false");
}

std::string FlagValues::take(const EntrypointFlag& f) const {
  if (f.value) return *f.value;
  if (index_ + 1 >= args_.size()) throw UsageError("--" + f.name + " needs a value");
  return args_[++index_];
}

void append_list(std::vector<std::string>& out, const std::string& value) {
  for (auto& v : split(value, ','))
    if (!v.empty()) out.push_back(v);
}

bool take_common_run_flag(const EntrypointFlag& f, const FlagValues& values, CommonRunOptions& o) {
  const std::string& n = f.name;
  if (n == "debug") o.debug = flag_bool(f);
  else if (n == "interactive") o.interactive = flag_bool(f);
  else if (n == "disable-capabilities-restriction") o.disable_capabilities_restriction = flag_bool(f);
  else if (n == "disable-paths") o.disable_paths = flag_bool(f);
  else if (n == "disable-seccomp") o.disable_seccomp = flag_bool(f);
  else if (n == "hostname") o.hostname = values.take(f);
  else if (n == "dns") append_list(o.dns, values.take(f));
  else if (n == "local-config") o.local_config = values.take(f);
  else return false;
  return true;
}

void parse_run_flags(const std::vector<std::string>& args, const RunFlagHandler& handle, std::string& uuid,
                     std::vector<std::string>& unknown) {
  for (size_t i = 0; i < args.size(); ++i) {
    auto f = split_flag(args[i]);
    if (!f) {
      if (!uuid.empty()) throw UsageError("unexpected argument \"" + args[i] + "\"");
      uuid = args[i];
      continue;
    }
    if (!handle(*f, FlagValues(args, i))) unknown.push_back(args[i]);
  }
  if (uuid.empty()) throw UsageError("the pod's UUID is missing (run [flags] UUID)");
}

EnterOptions parse_enter_flags(const std::vector<std::string>& args) {
  EnterOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--") {
      ++i;
      break;
    }
    auto f = split_flag(args[i]);
    if (!f) break;  // the command starts here (rkt's enter took it without "--" too)
    const FlagValues values(args, i);
    if (f->name == "pid") {
      std::string v = values.take(*f);
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.pid);
      if (ec != std::errc() || end != v.data() + v.size() || o.pid <= 0)
        throw UsageError("enter: --pid=" + v + ": not a process id");
    } else if (f->name == "appname") {
      o.app = values.take(*f);
    } else if (f->name == "debug") {
      o.debug = flag_bool(*f);
    } else {
      throw UsageError("enter: unknown flag " + args[i]);
    }
  }
  o.command.assign(args.begin() + static_cast<long>(i), args.end());
  if (o.pid == 0) throw UsageError("enter: --pid is required");
  return o;
}

StopOptions parse_stop_flags(const std::vector<std::string>& args, const EntrypointRules& rules) {
  StopOptions o;
  for (const auto& a : args) {
    auto f = split_flag(a);
    if (!f) take_uuid(o.uuid, a, "stop");
    else if (f->name == "force") o.force = flag_bool(*f);
    else if (f->name == "debug" && rules.stop_takes_debug) (void)flag_bool(*f);  // nothing to say
    else throw UsageError("stop: unknown flag " + a);
  }
  if (o.uuid.empty()) throw UsageError("stop: the pod's UUID is missing");
  return o;
}

GcOptions parse_gc_flags(const std::vector<std::string>& args, const EntrypointRules& rules) {
  GcOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    auto f = split_flag(args[i]);
    if (!f) {
      take_uuid(o.uuid, args[i], "gc");
      continue;
    }
    const auto& valued = rules.gc_valued_flags;
    if (f->name == "debug") o.debug = flag_bool(*f);
    else if (std::find(valued.begin(), valued.end(), f->name) != valued.end()) (void)FlagValues(args, i).take(*f);
    else if (!rules.gc_ignores_unknown) throw UsageError("gc: unknown flag " + args[i]);
  }
  if (o.uuid.empty()) throw UsageError("gc: the pod's UUID is missing");
  return o;
}

}  // namespace pod::stage1
