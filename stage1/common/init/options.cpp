#include "stage1/common/init/options.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1::init {
namespace {

long long number(const std::string& flag, std::string_view v) {
  long long out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || out < 0)
    throw UsageError("pod init: " + flag + " wants a non-negative number, not \"" + std::string(v) + "\"");
  return out;
}

}  // namespace

InitOptions parse_init_options(const std::vector<std::string>& args) {
  InitOptions o;
  for (const auto& a : args) {
    auto eq = a.find('=');
    std::string flag = a.substr(0, eq);
    std::string value = eq == std::string::npos ? std::string() : a.substr(eq + 1);
    bool has_value = eq != std::string::npos;
    auto need = [&] {
      if (!has_value) throw UsageError("pod init: " + flag + " needs a value (" + flag + "=...)");
    };
    if (flag == "--uuid") { need(); o.uuid = value; }
    else if (flag == "--launcher") { need(); o.launcher = value; }
    else if (flag == "--pod-manifest") { need(); o.pod_manifest = value; }
    else if (flag == "--appsinfo") { need(); o.appsinfo = value; }
    else if (flag == "--host-volumes") { need(); o.host_volumes = value; }
    else if (flag == "--debug") o.debug = true;
    else if (flag == "--interactive") o.interactive = true;
    else if (flag == "--disable-capabilities-restriction") o.disable_capabilities_restriction = true;
    else if (flag == "--disable-paths") o.disable_paths = true;
    else if (flag == "--disable-seccomp") o.disable_seccomp = true;
    else if (flag == "--notify") o.notify = true;
    else if (flag == "--mutable") o.mutable_pod = true;
    else if (flag == "--control") { need(); o.control = value; }
    else if (flag == "--dns") { need(); o.dns.push_back(value); }
    else if (flag == "--stop-timeout-ms") { need(); o.stop_timeout_ms = static_cast<int>(number(flag, value)); }
    else if (flag == "--log-max-bytes") { need(); o.log_max_bytes = number(flag, value); }
    else throw UsageError("pod init: unknown argument \"" + a + "\"");
  }
  if (o.uuid.empty()) throw UsageError("pod init: --uuid is required");
  if (o.launcher.empty()) throw UsageError("pod init: --launcher is required");
  if (o.mutable_pod && o.control.empty()) throw UsageError("pod init: --mutable needs --control=SOCKET");
  if (o.log_max_bytes < 4096) throw UsageError("pod init: --log-max-bytes must be at least 4096");
  return o;
}

}  // namespace pod::stage1::init
