// pod app add|start|stop|rm: the apps of a running sandbox (Documentation/app.md).
#include <algorithm>
#include <cstdio>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/run_prepare_flags.hpp"
#include "stage0/pods/app_ops.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/run_args.hpp"
#include "stage0/store/store.hpp"

namespace pod::cli {
namespace {

// The UUID is the first word that is neither a flag nor a flag's value; the rest is
// `IMAGE [app flags] [-- ARGS]` as `pod run` reads it. --mnt-volume is app add's own.
struct AddArgs {
  std::string uuid;
  std::vector<std::string> rest;
  std::vector<std::string> mnt_volumes;
};

AddArgs split_add_args(const std::vector<std::string>& args) {
  AddArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.rest.insert(out.rest.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    if (starts_with(a, "--mnt-volume")) {
      if (starts_with(a, "--mnt-volume=")) out.mnt_volumes.push_back(a.substr(13));
      else if (a == "--mnt-volume" && i + 1 < args.size()) out.mnt_volumes.push_back(args[++i]);
      else throw UsageError("--mnt-volume needs a value");
      continue;
    }
    if (out.uuid.empty() && !starts_with(a, "-")) {
      out.uuid = a;
      continue;
    }
    out.rest.push_back(a);
    if (starts_with(a, "--") && a.find('=') == std::string::npos) {
      std::string name = a.substr(2);
      bool valued = pods::is_app_flag(name) ? name != "readonly-rootfs" : pods::pod_flag_takes_value(name);
      if (valued && i + 1 < args.size() && name != "readonly-rootfs") out.rest.push_back(args[++i]);
    }
  }
  const bool help = std::find(args.begin(), args.end(), "--help") != args.end() ||
                    std::find(args.begin(), args.end(), "-h") != args.end();
  if (out.uuid.empty() && !help)
    throw UsageError("no pod UUID given", 0, "usage: pod app add UUID IMAGE [app flags]");
  return out;
}

// `pod app start|stop|rm UUID --app=NAME`.
Command app_op_command(const std::string& op, const std::string& summary,
                       void (*action)(const pods::Pod&, const std::string&, const Logger&)) {
  Command c;
  c.name = "app " + op;
  c.summary = summary;
  c.usage = "pod app " + op + " UUID --app=NAME";
  c.run = [c, action](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()("app", "the app's name", cxxopts::value<std::string>())
        ("uuid", "the pod", cxxopts::value<std::vector<std::string>>());
    p.positional({"uuid"}, "UUID");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("app") || res["app"].as<std::string>().empty())
      throw UsageError("--app=NAME is required", 0, "name the app: pod app list UUID shows them");
    std::vector<std::string> uuids;
    if (res.count("uuid")) uuids = res["uuid"].as<std::vector<std::string>>();
    if (uuids.size() != 1) throw UsageError("give exactly one pod UUID");
    pods::Pod pod = pods::open_pod_arg(inv.global.dir, uuids, std::nullopt);
    action(pod, res["app"].as<std::string>(), inv.global.logger());
    return 0;
  };
  return c;
}

}  // namespace

Command app_add_command() {
  Command c;
  c.name = "app add";
  c.summary = "Add an app to a running sandbox (prepared, not started)";
  c.usage = "pod app add UUID IMAGE [--name=NAME] [--exec=PATH] [app flags] "
            "[--mnt-volume=name=N,kind=host,source=S,target=T] [-- ARGS...]";
  c.run = [c](Invocation& inv) -> int {
    AddArgs a = split_add_args(inv.args);
    auto split = pods::split_run_args(a.rest);
    ArgParser p(c);
    p.add()("pull-policy", "when to fetch the image: never, new, update",
            cxxopts::value<std::string>()->default_value("new"));
    cxxopts::ParseResult res;
    try {
      res = p.parse(split.pod_args, inv.global);
    } catch (HelpRequested& h) {
      h.text += "\n" + pods::app_flags_help();
      throw;
    }
    if (split.apps.size() != 1) throw UsageError("app add takes exactly one image");
    const auto& g = inv.global;
    pods::AddRequest req;
    req.app = std::move(split.apps.front());
    for (auto& kv : split.pod_set_env) req.app.set_env.push_back(kv);
    for (auto& f : split.pod_set_env_files) req.app.set_env_files.push_back(f);
    for (const auto& v : a.mnt_volumes) req.volumes.push_back(pods::parse_mnt_volume(v));
    req.sources.pull_policy = res["pull-policy"].as<std::string>();
    if (req.sources.pull_policy != "never" && req.sources.pull_policy != "new" && req.sources.pull_policy != "update")
      throw UsageError("unknown --pull-policy \"" + req.sources.pull_policy + "\"", 0, "use never, new or update");
    set_image_sources(g, req.sources);
    Logger log = g.logger();
    pods::Pod pod = pods::open_pod_arg(g.dir, {a.uuid}, std::nullopt);
    store::Store st = store::Store::open(g.dir, log);
    std::string name = pods::add_app(pod, st, req, log);
    log.debug("app " + name + " added to pod " + pod.uuid());
    return 0;
  };
  return c;
}

Command app_start_command() {
  return app_op_command("start", "Start an app of a running sandbox", pods::start_app);
}
Command app_stop_command() {
  return app_op_command("stop", "Stop an app of a running sandbox (SIGTERM, SIGKILL after 10s)",
                        pods::stop_app);
}
Command app_rm_command() {
  return app_op_command("rm", "Remove an app from a running sandbox (stopping it first)", pods::remove_app);
}

}  // namespace pod::cli
