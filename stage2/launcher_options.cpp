#include "stage2/launcher_options.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage2 {

std::string launcher_usage() {
  return "usage: launcher (--pod-dir=DIR | --pod-manifest=FILE --image-manifest=FILE) --app=NAME\n"
         "                --root=APP_ROOTFS [--disable-capabilities-restriction] [--disable-seccomp]\n"
         "                [--interactive] [--metadata-url=URL] [--notify-socket=ADDR]\n"
         "                [--listen-fds=N [--listen-fdnames=A:B...]] [--rlimit=NAME=SOFT[:HARD]]...\n"
         "                [--replace-exec] [--pivot-root] [--launch-error-fd=N] [--debug]\n"
         "                [-- ARGS...]\n";
}

namespace {

int parse_count(const std::string& text, const char* flag, const char* what) {
  int fd = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (ec != std::errc() || end != text.data() + text.size() || fd < 0)
    throw UsageError(std::string(flag) + " needs " + what + ", not \"" + text + "\"");
  return fd;
}

}  // namespace

LauncherOptions parse_launcher_options(const std::vector<std::string>& args) {
  LauncherOptions o;
  auto value_of = [](const std::string& arg, std::string_view flag) -> std::optional<std::string> {
    std::string prefix = std::string(flag) + "=";
    if (starts_with(arg, prefix)) return arg.substr(prefix.size());
    return std::nullopt;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      o.extra_args.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (auto v = value_of(a, "--pod-dir")) o.pod_dir = *v;
    else if (auto v2 = value_of(a, "--pod-manifest")) o.pod_manifest = *v2;
    else if (auto v3 = value_of(a, "--image-manifest")) o.image_manifest = *v3;
    else if (auto v4 = value_of(a, "--app")) o.app = *v4;
    else if (auto v5 = value_of(a, "--root")) o.root = *v5;
    else if (auto v6 = value_of(a, "--metadata-url")) o.metadata_url = *v6;
    else if (auto vn = value_of(a, "--notify-socket")) o.notify_socket = *vn;
    else if (auto v7 = value_of(a, "--rlimit")) o.rlimits.push_back(parse_rlimit(*v7));
    else if (auto v8 = value_of(a, "--launch-error-fd")) o.launch_error_fd = parse_count(*v8, "--launch-error-fd", "a file descriptor number");
    else if (auto vl = value_of(a, "--listen-fds")) o.listen_fds = parse_count(*vl, "--listen-fds", "a number of fds");
    else if (auto vf = value_of(a, "--listen-fdnames")) o.listen_fdnames = *vf;
    else if (a == "--disable-capabilities-restriction") o.disable_capabilities_restriction = true;
    else if (a == "--disable-seccomp") o.disable_seccomp = true;
    else if (a == "--debug") o.debug = true;
    else if (a == "--interactive") o.interactive = true;
    else if (a == "--replace-exec") o.replace_exec = true;
    else if (a == "--pivot-root") o.pivot_root = true;
    else throw UsageError("unknown argument \"" + a + "\"\n" + launcher_usage());
  }
  if (o.app.empty()) throw UsageError("--app is required\n" + launcher_usage());
  if (o.root.empty()) throw UsageError("--root is required\n" + launcher_usage());
  if (o.pod_dir.empty() == o.pod_manifest.empty())
    throw UsageError("give exactly one of --pod-dir and --pod-manifest\n" + launcher_usage());
  if (!o.pod_manifest.empty() && o.image_manifest.empty())
    throw UsageError("--pod-manifest needs --image-manifest\n" + launcher_usage());
  if (o.replace_exec && o.extra_args.empty())
    throw UsageError("--replace-exec needs the command after \"--\"\n" + launcher_usage());
  return o;
}

}  // namespace pod::stage2
