#include "stage0/pods/manifest_builder.hpp"

#include <algorithm>

#include "aci/validation_error.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::pods {

namespace {

aci::Isolator make_isolator(const std::string& name, nlohmann::json value, const std::string& flag) {
  nlohmann::json j{{"name", name}, {"value", std::move(value)}};
  try {
    return aci::Isolator::from_json(j, flag);
  } catch (const aci::ValidationError& e) {
    throw UsageError(e.what());
  }
}

// Replaces an isolator of the same name, or appends.
void set_isolator(std::vector<aci::Isolator>& list, aci::Isolator iso) {
  auto same = [&](const aci::Isolator& i) { return i.name == iso.name; };
  auto it = std::find_if(list.begin(), list.end(), same);
  if (it != list.end()) *it = std::move(iso);
  else list.push_back(std::move(iso));
}

void erase_isolator(std::vector<aci::Isolator>& list, const std::string& name) {
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const aci::Isolator& i) { return i.name == name; }),
             list.end());
}

}  // namespace

std::string choose_app_name(const AppOptions& opts, const aci::ImageManifest& image,
                            const std::vector<std::string>& taken) {
  std::string base;
  if (opts.name) {
    if (!aci::is_ac_name(*opts.name))
      throw UsageError("--name \"" + *opts.name + "\" is not a valid app name", 0,
                       "use lower-case letters, digits and '-', starting and ending alphanumeric");
    if (std::find(taken.begin(), taken.end(), *opts.name) != taken.end())
      throw UsageError("two apps are named \"" + *opts.name + "\"", 0,
                       "give each app a distinct --name");
    return *opts.name;
  }
  std::string last = image.name.substr(image.name.rfind('/') + 1);
  base = aci::sanitize_ac_name(last);
  if (base.empty()) base = "app";
  std::string name = base;
  for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n)
    name = base + "-" + std::to_string(n);
  return name;
}

aci::Isolator seccomp_isolator(const std::string& flag) {
  std::optional<std::string> mode;
  std::optional<std::string> errno_name;
  std::vector<std::string> set;
  for (const auto& raw : split(flag, ',')) {
    std::string part(trim(raw));
    if (part.empty()) continue;
    if (starts_with(part, "mode=")) mode = part.substr(5);
    else if (starts_with(part, "errno=")) errno_name = part.substr(6);
    else set.push_back(part);
  }
  if (!mode || (*mode != "retain" && *mode != "remove"))
    throw UsageError("--seccomp " + flag + ": needs mode=retain or mode=remove", 0,
                     "e.g. --seccomp mode=remove,errno=EPERM,reboot,swapon");
  nlohmann::json value{{"set", set}};
  if (errno_name) value["errno"] = *errno_name;
  return make_isolator(*mode == "retain" ? aci::kIsolatorSeccompRetain : aci::kIsolatorSeccompRemove,
                       value, "--seccomp");
}

aci::RuntimeApp build_runtime_app(const AppOptions& opts, const ResolvedImage& image,
                                  const PodOptions& pod, const std::vector<std::string>& taken) {
  const std::string& image_name = image.manifest.name;
  return with_context("image " + image_name, [&] {
    aci::RuntimeApp ra;
    ra.name = choose_app_name(opts, image.manifest, taken);
    ra.image.name = image_name;
    ra.image.id = image.id;
    ra.image.labels = image.manifest.labels;
    aci::App app = image.manifest.app.value_or(aci::App{});
    if (!image.manifest.app && !opts.exec) {
      Error e("the image has no app section, so there is nothing to run");
      e.set_hint("give the command with --exec=/path/in/image");
      throw e;
    }
    if (app.user.empty()) app.user = "0";
    if (app.group.empty()) app.group = "0";
    // rkt's rule: --exec replaces the command; arguments after "--" are appended to it
    // (to the image's whole exec when there is no --exec).
    if (opts.exec) app.exec = {*opts.exec};
    // An OCI image's "-- args" replace its Cmd and keep its Entrypoint (Docker's rule).
    if (auto n = image.manifest.annotations.get("pod.oci/entrypoint-length");
        n && !opts.exec && !opts.args.empty())
      app.exec.resize(std::min(app.exec.size(), static_cast<size_t>(std::stoul(*n))));
    app.exec.insert(app.exec.end(), opts.args.begin(), opts.args.end());
    if (opts.user) app.user = *opts.user;
    if (opts.group) app.group = *opts.group;
    if (opts.supplementary_gids) app.supplementary_gids = *opts.supplementary_gids;
    if (opts.working_dir) app.working_directory = *opts.working_dir;

    // Environment, as rkt: inherited < image < the app's own flags < the pod-wide
    // --set-env-file < the pod-wide --set-env.
    aci::Environment env;
    for (const auto& [k, v] : pod.inherited_env)
      if (aci::is_c_identifier(k)) env.set(k, v);
    for (const auto& nv : app.environment) env.set(nv.name, nv.value);
    auto set_checked = [&](const std::string& k, const std::string& v, const std::string& from) {
      if (!aci::is_c_identifier(k))
        throw UsageError(from + ": \"" + k + "\" is not a valid environment variable name");
      env.set(k, v);
    };
    for (const auto& file : opts.set_env_files)
      for (const auto& [k, v] : read_env_file(file)) set_checked(k, v, "--set-env-file " + file);
    for (const auto& [k, v] : opts.set_env) set_checked(k, v, "--set-env " + k);
    for (const auto& file : pod.set_env_files)
      for (const auto& [k, v] : read_env_file(file)) set_checked(k, v, "--set-env-file " + file);
    for (const auto& [k, v] : pod.set_env) set_checked(k, v, "--set-env " + k);
    app.environment = env;

    if (opts.cpu) {
      set_isolator(app.isolators,
                   make_isolator(aci::kIsolatorCpu, {{"request", *opts.cpu}, {"limit", *opts.cpu}},
                                 "--cpu"));
    }
    if (opts.memory) {
      set_isolator(app.isolators, make_isolator(aci::kIsolatorMemory,
                                                {{"request", *opts.memory}, {"limit", *opts.memory}},
                                                "--memory"));
    }
    if (opts.cpu_shares)
      set_isolator(app.isolators, make_isolator(aci::kIsolatorCpuShares, *opts.cpu_shares, "--cpu-shares"));
    if (opts.caps_retain && opts.caps_remove)
      throw UsageError("--caps-retain and --caps-remove cannot be used together");
    if (opts.caps_retain) {
      erase_isolator(app.isolators, aci::kIsolatorCapsRemove);
      set_isolator(app.isolators, make_isolator(aci::kIsolatorCapsRetain,
                                                {{"set", *opts.caps_retain}}, "--caps-retain"));
    }
    if (opts.caps_remove) {
      erase_isolator(app.isolators, aci::kIsolatorCapsRetain);
      set_isolator(app.isolators, make_isolator(aci::kIsolatorCapsRemove,
                                                {{"set", *opts.caps_remove}}, "--caps-remove"));
    }
    if (opts.seccomp) {
      erase_isolator(app.isolators, aci::kIsolatorSeccompRetain);
      erase_isolator(app.isolators, aci::kIsolatorSeccompRemove);
      set_isolator(app.isolators, seccomp_isolator(*opts.seccomp));
    }
    if (opts.oom_score_adj) {
      set_isolator(app.isolators,
                   make_isolator(aci::kIsolatorOomScoreAdj, *opts.oom_score_adj, "--oom-score-adj"));
    }

    for (const auto& m : opts.mounts) {
      bool has = std::any_of(pod.volumes.begin(), pod.volumes.end(),
                             [&](const aci::Volume& v) { return v.name == m.volume; });
      if (!has) {
        UsageError e("--mount volume=" + m.volume + ",target=" + m.path +
                     ": no volume named \"" + m.volume + "\" in the pod");
        e.set_hint("declare it with --volume " + m.volume + ",kind=host,source=/PATH (or kind=empty)");
        throw e;
      }
      ra.mounts.push_back(m);
    }
    if (opts.readonly_rootfs) ra.read_only_rootfs = *opts.readonly_rootfs;
    for (const auto& nv : opts.annotations) ra.annotations.set(nv.name, nv.value);
    ra.app = std::move(app);
    return ra;
  });
}

aci::PodManifest build_pod_manifest(const std::vector<AppOptions>& apps,
                                    const std::vector<ResolvedImage>& images,
                                    const PodOptions& pod) {
  if (apps.empty()) throw UsageError("no image given", 0, "name at least one image to run");
  aci::PodManifest m;
  m.volumes = pod.volumes;
  std::vector<std::string> names;
  for (size_t i = 0; i < apps.size(); ++i) {
    m.apps.push_back(build_runtime_app(apps[i], images.at(i), pod, names));
    names.push_back(m.apps.back().name);
  }
  for (const auto& p : pod.ports) {
    bool known = std::any_of(m.apps.begin(), m.apps.end(), [&](const aci::RuntimeApp& a) {
      return a.app && std::any_of(a.app->ports.begin(), a.app->ports.end(),
                                  [&](const aci::Port& ap) { return ap.name == p.name; });
    });
    if (!known)
      throw UsageError("--port " + p.name + ":" + std::to_string(p.host_port) +
                       ": no app of the pod declares a port named \"" + p.name + "\"");
    m.ports.push_back(p);
  }
  m.annotations = pod.annotations;
  m.user_annotations = pod.user_annotations;
  m.user_labels = pod.user_labels;
  // A final validation pass, as the file will be read back: a bad value is a usage error here.
  try {
    return aci::PodManifest::parse(m.serialize());
  } catch (const aci::ValidationError& e) {
    throw UsageError(std::string("the pod manifest built from the flags is invalid: ") + e.what());
  }
}

aci::ExposedPort parse_port_flag(const std::string& text) {
  auto parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty())
    throw UsageError("--port " + text + ": expected NAME:[HOSTIP:]HOSTPORT");
  aci::ExposedPort p;
  p.name = parts[0];
  if (parts.size() == 3) p.host_ip = parts[1];
  const std::string& port = parts.back();
  try {
    size_t used = 0;
    int n = std::stoi(port, &used);
    if (used != port.size() || n < 1 || n > 65535) throw std::out_of_range("port");
    p.host_port = static_cast<uint16_t>(n);
  } catch (const std::exception&) {
    throw UsageError("--port " + text + ": \"" + port + "\" is not a port number (1..65535)");
  }
  return p;
}

std::vector<std::pair<std::string, std::string>> read_env_file(const std::string& path) {
  return with_context("reading --set-env-file " + path, [&] {
    std::vector<std::pair<std::string, std::string>> out;
    int lineno = 0;
    for (const auto& raw : split(read_file(path), '\n')) {
      ++lineno;
      std::string line(trim(raw));
      if (line.empty() || line[0] == '#' || line[0] == ';') continue;  // rkt's comments
      size_t eq = line.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error("line " + std::to_string(lineno) + ": expected NAME=VALUE");
      out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
    }
    return out;
  });
}

}  // namespace pod::pods
