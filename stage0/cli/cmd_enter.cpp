#include <cstdio>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/run_args.hpp"
#include "stage0/pods/stage1_exec.hpp"

namespace pod::cli {

namespace {

// Flags come before the UUID; everything after it is the command to run, flags included.
void split_enter_args(const std::vector<std::string>& in, std::vector<std::string>& flags,
                      std::string& uuid, std::vector<std::string>& cmd) {
  size_t i = 0;
  for (; i < in.size(); ++i) {
    const std::string& a = in[i];
    if (a == "--") { ++i; break; }
    if (!starts_with(a, "-")) break;
    flags.push_back(a);
    std::string name = a.substr(a.find_first_not_of('-'));
    if (name.find('=') == std::string::npos && (name == "app" || pods::pod_flag_takes_value(name)) &&
        i + 1 < in.size())
      flags.push_back(in[++i]);
  }
  if (i < in.size()) uuid = in[i++];
  if (i < in.size() && in[i] == "--") ++i;
  cmd.assign(in.begin() + static_cast<long>(i), in.end());
}

}  // namespace

Command enter_command() {
  Command c;
  c.name = "enter";
  c.summary = "Run a command inside an app of a running pod";
  c.usage = "pod enter [--app=NAME] UUID [CMD [ARGS...]]";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()("app", "the app to enter (needed when the pod has several)",
            cxxopts::value<std::string>());
    std::vector<std::string> flags, cmd;
    std::string uuid_arg;
    split_enter_args(inv.args, flags, uuid_arg, cmd);
    auto res = p.parse(flags, inv.global);
    if (uuid_arg.empty()) throw UsageError("no pod given", 0, "pod enter [--app=NAME] UUID [CMD...]");
    if (cmd.empty()) cmd = {"/bin/sh"};
    Logger log = inv.global.logger();
    pods::Pod pod = pods::open_pod_arg(inv.global.dir, {uuid_arg}, std::nullopt);
    return with_context("entering pod " + pod.uuid(), [&]() -> int {
      auto info = pods::read_pod_info(pod);
      if (info.state != pods::PodState::running) {
        Error e("the pod is " + std::string(pods::state_name(info.state)) + ", not running");
        e.set_hint("only a running pod can be entered");
        throw e;
      }
      if (!info.pid) throw Error("the pod has not written its pid yet; try again in a moment");
      std::string app = pods::choose_app(
          info, res.count("app") ? std::optional(res["app"].as<std::string>()) : std::nullopt);
      pods::Stage1Image s1 = pods::load_stage1(pod);
      std::vector<std::string> args = {"--pid=" + std::to_string(*info.pid), "--appname=" + app, "--"};
      args.insert(args.end(), cmd.begin(), cmd.end());
      pods::exec_entrypoint_view(pod, s1, pods::kEntrypointEnter, args, {}, log);
    });
  };
  return c;
}

}  // namespace pod::cli
