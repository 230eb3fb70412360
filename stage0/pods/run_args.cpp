#include "stage0/pods/run_args.hpp"

#include <algorithm>
#include <array>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::pods {

namespace {

struct AppFlag {
  const char* name;
  bool takes_value;
  const char* help;
};

constexpr std::array<AppFlag, 21> kAppFlags = {{
    {"exec", true, "override the image's exec command"},
    {"name", true, "the app's name in the pod (default: from the image name)"},
    {"user", true, "user to run the app as (name or uid in the image)"},
    {"group", true, "group to run the app as (name or gid in the image)"},
    {"supplementary-gids", true, "comma-separated supplementary group IDs"},
    {"working-dir", true, "the app's working directory"},
    {"environment", true, "NAME=VALUE to set in the app's environment (repeatable)"},
    {"set-env", true, "NAME=VALUE to set in the app's environment (repeatable)"},
    {"set-env-file", true, "file of NAME=VALUE lines to set in the app's environment"},
    {"mount", true, "volume=NAME,target=PATH: mount a pod volume into the app"},
    {"readonly-rootfs", false, "mount the app's rootfs read-only"},
    {"cpu", true, "CPU limit, e.g. 500m or 2"},
    {"memory", true, "memory limit, e.g. 512M or 1Gi"},
    {"cpu-shares", true, "relative CPU weight (2..262144)"},
    {"caps-retain", true, "comma-separated capabilities to keep (all others dropped)"},
    {"caps-remove", true, "comma-separated capabilities to drop"},
    {"seccomp", true, "mode=retain|remove[,errno=ENAME],SYSCALL,...: the app's syscall filter"},
    {"oom-score-adj", true, "the app's OOM score adjustment (-1000..1000)"},
    {"annotation", true, "NAME=VALUE annotation on the app (repeatable)"},
    {"stdin", true, "accepted for rkt compatibility; only \"null\" and \"tty\" are meaningful"},
    {"stdout", true, "accepted for rkt compatibility"},
}};

const AppFlag* find_app_flag(std::string_view name) {
  for (const auto& f : kAppFlags)
    if (name == f.name) return &f;
  return nullptr;
}

std::pair<std::string, std::string> split_name_value(const std::string& text,
                                                     const std::string& flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("--" + flag + " \"" + text + "\": expected NAME=VALUE");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

bool parse_bool(const std::string& v, const std::string& flag) {
  if (v.empty() || v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw UsageError("--" + flag + "=" + v + ": expected true or false");
}

int64_t parse_int_flag(const std::string& v, const std::string& flag) {
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  throw UsageError("--" + flag + "=" + v + ": expected an integer");
}

std::vector<std::string> nonempty_list(const std::string& v, const std::string& flag) {
  std::vector<std::string> out;
  for (const auto& part : split(v, ',')) {
    std::string p(trim(part));
    if (!p.empty()) out.push_back(p);
  }
  if (out.empty()) throw UsageError("--" + flag + " needs at least one value");
  return out;
}

aci::Mount parse_mount(const std::string& v) {
  aci::Mount m;
  for (const auto& part : split(v, ',')) {
    auto [k, val] = split_name_value(part, "mount");
    if (k == "volume") m.volume = val;
    else if (k == "target") m.path = val;
    else throw UsageError("--mount " + v + ": unknown key \"" + k + "\"", 0,
                          "use --mount volume=NAME,target=PATH");
  }
  if (m.volume.empty() || m.path.empty())
    throw UsageError("--mount " + v + ": needs both volume= and target=", 0,
                     "use --mount volume=NAME,target=PATH");
  if (m.path.front() != '/') throw UsageError("--mount " + v + ": target must be an absolute path");
  return m;
}

}  // namespace

bool is_app_flag(std::string_view name) { return find_app_flag(name) != nullptr; }

bool pod_flag_takes_value(std::string_view name) {
  static constexpr std::array<const char*, 26> kValued = {
      "dir", "local-config", "system-config", "user-config", "insecure-options",
      "volume", "hostname", "net", "dns", "dns-search", "dns-opt", "dns-domain",
      "annotation", "user-annotation", "user-label", "stage1-name", "stage1-path",
      "stage1-url", "stage1-hash", "stage1-from-dir", "pod-manifest", "pull-policy",
      "uuid-file-save", "port", "hosts-entry", "signature"};
  return std::find(kValued.begin(), kValued.end(), name) != kValued.end();
}

void apply_app_flag(AppOptions& app, const std::string& name, const std::string& value) {
  if (name == "exec") {
    if (value.empty()) throw UsageError("--exec needs a command");
    app.exec = value;
  } else if (name == "name") {
    app.name = value;
  } else if (name == "user") {
    if (value.empty()) throw UsageError("--user needs a user name or uid");
    app.user = value;
  } else if (name == "group") {
    if (value.empty()) throw UsageError("--group needs a group name or gid");
    app.group = value;
  } else if (name == "supplementary-gids") {
    std::vector<uint32_t> gids;
    for (const auto& g : nonempty_list(value, name)) {
      int64_t n = parse_int_flag(g, name);
      if (n < 0 || n > 0xffffffffLL) throw UsageError("--supplementary-gids: bad gid " + g);
      gids.push_back(static_cast<uint32_t>(n));
    }
    app.supplementary_gids = gids;
  } else if (name == "working-dir") {
    if (value.empty() || value.front() != '/')
      throw UsageError("--working-dir=" + value + ": must be an absolute path");
    app.working_dir = value;
  } else if (name == "environment" || name == "set-env") {
    app.set_env.push_back(split_name_value(value, name));
  } else if (name == "set-env-file") {
    app.set_env_files.push_back(value);
  } else if (name == "mount") {
    app.mounts.push_back(parse_mount(value));
  } else if (name == "readonly-rootfs") {
    app.readonly_rootfs = parse_bool(value, name);
  } else if (name == "cpu") {
    app.cpu = value;
  } else if (name == "memory") {
    app.memory = value;
  } else if (name == "cpu-shares") {
    app.cpu_shares = parse_int_flag(value, name);
  } else if (name == "caps-retain") {
    app.caps_retain = nonempty_list(value, name);
  } else if (name == "caps-remove") {
    app.caps_remove = nonempty_list(value, name);
  } else if (name == "seccomp") {
    app.seccomp = value;
  } else if (name == "oom-score-adj") {
    int64_t n = parse_int_flag(value, name);
    if (n < -1000 || n > 1000) throw UsageError("--oom-score-adj must be within -1000..1000");
    app.oom_score_adj = static_cast<int>(n);
  } else if (name == "annotation") {
    auto [k, v] = split_name_value(value, name);
    app.annotations.push_back({k, v});
  } else if (name == "stdin" || name == "stdout") {
    // rkt's app-level stdio modes belong to its api; accepted and ignored.
  } else {
    throw UsageError("unknown app flag --" + name);
  }
}

SplitArgs split_run_args(const std::vector<std::string>& args) {
  SplitArgs out;
  // App flags seen before the first image: they apply to the first image.
  AppOptions pending;
  bool pending_used = false;
  AppOptions* current = nullptr;
  std::vector<aci::Mount> pod_wide_mounts;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "---") {
      if (!current) throw UsageError("\"---\" before any image", 0, "use: IMAGE --- IMAGE");
      current = nullptr;
      continue;
    }
    if (a == "--") {
      if (!current) throw UsageError("\"--\" before any image: app arguments follow their image");
      ++i;
      while (i < args.size() && args[i] != "---") current->args.push_back(args[i++]);
      current = nullptr;  // "---" (or the end) closes the app
      continue;
    }
    if (starts_with(a, "--") && a.size() > 2) {
      std::string body = a.substr(2);
      size_t eq = body.find('=');
      std::string name = body.substr(0, eq);
      const AppFlag* f = find_app_flag(name);
      if (f) {
        std::string value;
        if (eq != std::string::npos) {
          value = body.substr(eq + 1);
        } else if (f->takes_value) {
          if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
          value = args[++i];
        }
        if (!current && out.apps.empty() && name == "mount") {
          // rkt's rule: a --mount before any image applies to every app of the pod.
          AppOptions holder;
          apply_app_flag(holder, name, value);
          pod_wide_mounts.push_back(holder.mounts.at(0));
          continue;
        }
        if (!current && out.apps.empty() && (name == "set-env" || name == "set-env-file")) {
          // rkt's pod-wide flags: before the images they are for every app.
          AppOptions holder;
          apply_app_flag(holder, name, value);
          if (name == "set-env") out.pod_set_env.push_back(holder.set_env.at(0));
          else out.pod_set_env_files.push_back(holder.set_env_files.at(0));
          continue;
        }
        AppOptions& target = current ? *current : pending;
        if (!current) pending_used = true;
        apply_app_flag(target, name, value);
        continue;
      }
      out.pod_args.push_back(a);
      if (eq == std::string::npos && pod_flag_takes_value(name) && i + 1 < args.size())
        out.pod_args.push_back(args[++i]);
      continue;
    }
    if (starts_with(a, "-") && a.size() > 1) {  // short flags (-h)
      out.pod_args.push_back(a);
      continue;
    }
    // An image; one after another without "---" is another app, as in rkt.
    if (pending_used) {
      out.apps.push_back(std::move(pending));
      pending = AppOptions{};
      pending_used = false;
    } else {
      out.apps.emplace_back();
    }
    current = &out.apps.back();
    current->image = a;
  }
  if (pending_used)
    throw UsageError("app flags given but no image to run", 0, "name an image after the flags");
  // Pod-wide mounts go to every app, except where the app mounts something at the same path.
  for (auto& app : out.apps) {
    for (const auto& m : pod_wide_mounts) {
      bool overridden = std::any_of(app.mounts.begin(), app.mounts.end(),
                                    [&](const aci::Mount& own) { return own.path == m.path; });
      if (!overridden) app.mounts.push_back(m);
    }
  }
  return out;
}

std::string app_flags_help() {
  std::string out = "Per-app flags (after the image they apply to):\n";
  for (const auto& f : kAppFlags) {
    std::string left = std::string("  --") + f.name + (f.takes_value ? "=VALUE" : "");
    if (left.size() < 30) left += std::string(30 - left.size(), ' ');
    else left += "  ";
    out += left + f.help + "\n";
  }
  out += "\n  IMAGE [app flags] -- ARGS...   arguments for the app\n"
         "  IMAGE ... --- IMAGE ...        more apps in the same pod\n";
  return out;
}

}  // namespace pod::pods
