#include "stage1/fly/options.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1::fly {
namespace {

// A flag as "--name", "--name=value" or "--name value" (Go's flag package, which rkt's
// stage0 used, accepts all three; for booleans only the first two).
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
  if (!f.value) return true;
  if (*f.value == "true" || *f.value == "1") return true;
  if (*f.value == "false" || *f.value == "0") return false;
  throw UsageError("--" + f.name + "=" + *f.value + ": expected true or false");
}

std::string take_value(const Flag& f, const std::vector<std::string>& args, size_t& i) {
  if (f.value) return *f.value;
  if (i + 1 >= args.size()) throw UsageError("--" + f.name + " needs a value");
  return args[++i];
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
    if (f->name == "debug") o.debug = bool_value(*f);
    else if (f->name == "interactive") o.interactive = bool_value(*f);
    else if (f->name == "disable-capabilities-restriction") o.disable_capabilities_restriction = bool_value(*f);
    else if (f->name == "disable-paths") o.disable_paths = bool_value(*f);
    else if (f->name == "disable-seccomp") o.disable_seccomp = bool_value(*f);
    else if (f->name == "net") {
      for (auto& n : split(take_value(*f, args, i), ',')) if (!n.empty()) o.net.push_back(n);
    } else if (f->name == "hostname") o.hostname = take_value(*f, args, i);
    else if (f->name == "dns") {
      for (auto& d : split(take_value(*f, args, i), ',')) if (!d.empty()) o.dns.push_back(d);
    } else if (f->name == "local-config") o.local_config = take_value(*f, args, i);
    else if (f->name == "mds-token") o.mds_token = take_value(*f, args, i);
    else o.unknown.push_back(args[i]);
  }
  if (o.uuid.empty()) throw UsageError("the pod's UUID is required");
  return o;
}

EnterOptions parse_enter_options(const std::vector<std::string>& args) {
  EnterOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      o.command.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    auto f = split_flag(args[i]);
    if (!f) {
      // rkt's enter took the command without "--" too.
      o.command.assign(args.begin() + static_cast<long>(i), args.end());
      break;
    }
    if (f->name == "pid") {
      std::string v = take_value(*f, args, i);
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.pid);
      if (ec != std::errc() || end != v.data() + v.size() || o.pid <= 0)
        throw UsageError("--pid=" + v + " is not a process id");
    } else if (f->name == "appname") {
      o.app = take_value(*f, args, i);
    } else if (f->name == "debug") {
      o.debug = bool_value(*f);
    } else {
      throw UsageError("unknown flag \"" + args[i] + "\"");
    }
  }
  if (o.pid == 0) throw UsageError("--pid is required");
  return o;
}

StopOptions parse_stop_options(const std::vector<std::string>& args) {
  StopOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    auto f = split_flag(args[i]);
    if (!f) {
      o.uuid = args[i];
      continue;
    }
    if (f->name == "force") o.force = bool_value(*f);
    else if (f->name == "debug") (void)bool_value(*f);  // accepted; stop has nothing to say
    else throw UsageError("unknown flag \"" + args[i] + "\"");
  }
  if (o.uuid.empty()) throw UsageError("the pod's UUID is required");
  return o;
}

GcOptions parse_gc_options(const std::vector<std::string>& args) {
  GcOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    auto f = split_flag(args[i]);
    if (!f) {
      o.uuid = args[i];
      continue;
    }
    if (f->name == "debug") o.debug = bool_value(*f);
    else if (f->name == "local-config") (void)take_value(*f, args, i);  // fly keeps no network config
    else throw UsageError("unknown flag \"" + args[i] + "\"");
  }
  if (o.uuid.empty()) throw UsageError("the pod's UUID is required");
  return o;
}

}  // namespace pod::stage1::fly
