#include "stage1/common/net/cni_plugin.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"

namespace pod::stage1::net {

std::vector<std::string> default_cni_path() { return {"/usr/lib/cni", "/opt/cni/bin"}; }

std::string find_plugin(const std::string& type, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs) {
    std::string p = path_join(d, type);
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  throw Error("CNI plugin \"" + type + "\" not found in " + join(dirs, ":"), 0,
              "install Debian's containernetworking-plugins package "
              "(apt-get install containernetworking-plugins), or fix the network's \"type\"");
}

namespace {

std::string plugin_error_text(const std::string& out, const std::string& err) {
  try {
    auto j = nlohmann::json::parse(out);
    std::string msg = j.value("msg", "");
    std::string details = j.value("details", "");
    if (j.contains("code")) msg += " (CNI error code " + j["code"].dump() + ")";
    if (!details.empty()) msg += ": " + details;
    if (!msg.empty()) return msg;
  } catch (const nlohmann::json::exception&) {
    // not an error object: fall back to what it printed
  }
  std::string text(trim(err.empty() ? out : err));
  return text.empty() ? "no message" : text;
}

}  // namespace

nlohmann::json invoke_plugin(const nlohmann::json& conf, const CniCall& call, const Logger& log) {
  std::string type = conf.value("type", "");
  std::string plugin = find_plugin(type, call.path);
  const char* host_path = std::getenv("PATH");
  // The plugins run iptables and other tools through PATH.
  std::map<std::string, std::string> env = {
      {"PATH", host_path ? host_path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"CNI_COMMAND", call.command},
      {"CNI_CONTAINERID", call.container_id},
      {"CNI_NETNS", call.netns},
      {"CNI_IFNAME", call.ifname},
      {"CNI_ARGS", call.args},
      {"CNI_PATH", join(call.path, ":")},
  };
  std::string input = conf.dump();
  log.debug("CNI " + call.command + " " + plugin + " ifname=" + call.ifname + " netns=" +
            call.netns + (call.args.empty() ? "" : " args=" + call.args) + " config=" + input);
  SpawnOptions opts;
  opts.stdin_data = input;
  opts.env = env;
  auto start = std::chrono::steady_clock::now();
  RunResult res = run_command({plugin}, opts);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  log.debug("CNI " + call.command + " " + type + ": exit status " +
            std::to_string(res.exit_code) + " after " + std::to_string(ms) + " ms");
  if (res.exit_code != 0)
    throw Error("CNI plugin " + type + " " + call.command + " failed (exit status " +
                std::to_string(res.exit_code) + "): " + plugin_error_text(res.out, res.err));
  if (!res.err.empty()) log.debug("CNI " + type + " stderr: " + std::string(trim(res.err)));
  if (trim(res.out).empty()) return nullptr;
  try {
    return nlohmann::json::parse(res.out);
  } catch (const nlohmann::json::exception& e) {
    throw Error("CNI plugin " + type + " " + call.command + " printed a result that is not JSON: " +
                e.what());
  }
}

}  // namespace pod::stage1::net
