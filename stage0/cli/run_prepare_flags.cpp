#include "stage0/cli/run_prepare_flags.hpp"

#include <cstdlib>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/pods/run_args.hpp"

extern char** environ;

namespace pod::cli {

std::vector<std::string> all_values(const cxxopts::ParseResult& res, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& kv : res.arguments())
    if (kv.key() == key) out.push_back(kv.value());
  return out;
}

std::pair<std::string, std::string> name_value(const std::string& text, const std::string& flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("--" + flag + " \"" + text + "\": expected NAME=VALUE");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void read_pod_label_flags(const cxxopts::ParseResult& res, pods::PodOptions& pod) {
  for (const auto& v : all_values(res, "user-annotation")) {
    auto [k, val] = name_value(v, "user-annotation");
    pod.user_annotations.set(k, val);
  }
  for (const auto& v : all_values(res, "user-label")) {
    auto [k, val] = name_value(v, "user-label");
    pod.user_labels.set(k, val);
  }
}

void read_stage1_flags(const cxxopts::ParseResult& res, pods::Stage1Selection& stage1) {
  using Kind = pods::Stage1Selection::Kind;
  const std::pair<const char*, Kind> stage1_flags[] = {
      {"stage1-name", Kind::name}, {"stage1-path", Kind::path}, {"stage1-url", Kind::url},
      {"stage1-hash", Kind::hash}, {"stage1-from-dir", Kind::from_dir}};
  for (const auto& [name, kind] : stage1_flags) {
    if (!res.count(name)) continue;
    if (stage1.kind != Kind::none)
      throw UsageError("only one of --stage1-name, --stage1-path, --stage1-url, --stage1-hash, "
                       "--stage1-from-dir may be given");
    stage1 = {kind, res[name].as<std::string>()};
  }
}

void set_image_sources(const GlobalOptions& g, pods::ImageSourceOptions& sources) {
  sources.system_config = g.system_config;
  sources.local_config = g.local_config;
  sources.user_config = g.user_config;
  sources.docker_config = g.docker_config;
  sources.insecure_image = g.is_insecure("image");
  sources.insecure_tls = g.is_insecure("tls");
  sources.insecure_http = g.is_insecure("http");
  sources.trust_keys_from_https = g.trust_keys_from_https;
}

void read_pod_run_flags(const cxxopts::ParseResult& res, const GlobalOptions& g, pods::RunFlags& run) {
  run.debug = g.debug;
  for (const auto& v : all_values(res, "net"))
    for (const auto& n : pod::split(v, ','))
      if (!std::string(trim(n)).empty()) run.net.emplace_back(trim(n));
  run.dns = all_values(res, "dns");
  run.dns_search = all_values(res, "dns-search");
  run.dns_opt = all_values(res, "dns-opt");
  if (res.count("dns-domain")) run.dns_domain = res["dns-domain"].as<std::string>();
  run.hosts_entries = all_values(res, "hosts-entry");
  if (res.count("hostname")) run.hostname = res["hostname"].as<std::string>();
  run.local_config = g.local_config;
  run.system_config = g.system_config;
  run.disable_capabilities = g.is_insecure("capabilities");
  run.disable_paths = g.is_insecure("paths");
  run.disable_seccomp = g.is_insecure("seccomp");
}


void add_run_prepare_flags(ArgParser& p, bool for_run) {
  auto str = [] { return cxxopts::value<std::string>(); };
  auto flag = [] { return cxxopts::value<bool>()->default_value("false"); };
  p.add()
      ("volume", "pod volume NAME,kind=host,source=/PATH[,readOnly=true][,recursive=true] or "
                 "NAME,kind=empty[,mode=0755,uid=0,gid=0] (repeatable)", str())
      ("port", "expose an app port: NAME:[HOSTIP:]HOSTPORT (repeatable)", str())
      ("inherit-env", "apps inherit the environment of this command", flag())
      ("hostname", "the pod's hostname (default: stage1's choice)", str())
      ("net", "networks to join: default, host, none, or names from net.d (repeatable, "
              "comma-separated)", str())
      ("dns", "name server for the pod (repeatable)", str())
      ("dns-search", "DNS search domain for the pod (repeatable)", str())
      ("dns-opt", "DNS resolver option for the pod (repeatable)", str())
      ("dns-domain", "the pod's DNS domain", str())
      ("hosts-entry", "IP=HOSTNAME line for the pod's /etc/hosts (repeatable)", str())
      ("no-overlay", "copy the image trees instead of mounting overlays (slow for big images)",
       flag())
      ("mds-register", "register the pod with the running metadata service (pod metadata-service); "
                       "its apps get AC_METADATA_URL", flag())
      ("user-annotation", "NAME=VALUE annotation on the pod (repeatable)", str())
      ("user-label", "NAME=VALUE label on the pod (repeatable)", str())
      ("stage1-name", "stage1 image by name (fetched when not stored)", str())
      ("stage1-path", "stage1 image from an ACI file", str())
      ("stage1-url", "stage1 image from a URL", str())
      ("stage1-hash", "stage1 image by ID in the store", str())
      ("stage1-from-dir", "stage1 image file name in the stage1 images directory", str())
      ("pod-manifest", "use this pod manifest as it is (no image arguments)", str())
      ("pull-policy", "when to fetch images: never, new, update",
       cxxopts::value<std::string>()->default_value("new"))
      ("store-only", "rkt's --pull-policy=never", flag())
      ("no-store", "rkt's --pull-policy=update", flag())
      ("uuid-file-save", "write the pod's UUID to this file", str());
  if (for_run) {
    p.add()("interactive", "run the app interactively (stdin/tty attached; one app only)", flag());
  } else {
    p.add()("quiet", "print only the UUID", flag());
  }
}

RunPrepareArgs parse_run_prepare(ArgParser& p, Invocation& inv, bool for_run) {
  auto split = pods::split_run_args(inv.args);
  cxxopts::ParseResult res;
  try {
    res = p.parse(split.pod_args, inv.global);
  } catch (HelpRequested& h) {
    h.text += "\n" + pods::app_flags_help();  // per-app flags are parsed apart from cxxopts
    throw;
  }
  const auto& g = inv.global;
  RunPrepareArgs out;
  auto& req = out.request;
  req.apps = std::move(split.apps);
  const bool pod_env_given = !split.pod_set_env.empty() || !split.pod_set_env_files.empty();
  req.pod.set_env = std::move(split.pod_set_env);
  req.pod.set_env_files = std::move(split.pod_set_env_files);
  for (const auto& v : all_values(res, "volume")) req.pod.volumes.push_back(aci::Volume::parse_flag(v));
  for (const auto& v : all_values(res, "port")) req.pod.ports.push_back(pods::parse_port_flag(v));
  if (res["inherit-env"].as<bool>()) {
    for (char** e = environ; *e; ++e) {
      std::string kv(*e);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) req.pod.inherited_env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  read_pod_label_flags(res, req.pod);
  read_stage1_flags(res, req.stage1);
  if (res.count("pod-manifest")) {
    // rkt's rule and words: the manifest is the whole pod, flags that would change it conflict.
    std::string policy = res["pull-policy"].as<std::string>();
    if (!req.apps.empty() || pod_env_given || !req.pod.volumes.empty() || !req.pod.ports.empty() ||
        res["inherit-env"].as<bool>() || policy == "never" || policy == "update" ||
        res["store-only"].as<bool>() || res["no-store"].as<bool>())
      throw UsageError("conflicting flags set with --pod-manifest (see --help)", 0,
                       "the manifest describes the whole pod: give images, app flags, --volume, "
                       "--port, --set-env and --inherit-env in it, not on the command line");
    req.pod_manifest_file = res["pod-manifest"].as<std::string>();
  } else if (req.apps.empty()) {
    throw UsageError("no image given", 0, "name the image to run, e.g. 'pod " +
                                              std::string(for_run ? "run" : "prepare") +
                                              " example.com/app:1.0'");
  }
  std::string policy = res["pull-policy"].as<std::string>();
  if (policy != "never" && policy != "new" && policy != "update")
    throw UsageError("unknown --pull-policy \"" + policy + "\"", 0, "use never, new or update");
  // rkt's older spellings of the pull policies.
  if (res["store-only"].as<bool>() && res["no-store"].as<bool>())
    throw UsageError("--store-only and --no-store exclude each other");
  if (res["store-only"].as<bool>()) policy = "never";
  if (res["no-store"].as<bool>()) policy = "update";
  req.sources.pull_policy = policy;
  set_image_sources(g, req.sources);
  if (res.count("uuid-file-save")) out.uuid_file_save = res["uuid-file-save"].as<std::string>();

  auto& run = out.run;
  read_pod_run_flags(res, g, run);
  run.no_overlay = res["no-overlay"].as<bool>();
  run.mds_register = res["mds-register"].as<bool>();
  pods::check_mds_register(run);
  if (for_run) {
    run.interactive = res["interactive"].as<bool>();
    if (run.interactive && req.apps.size() > 1)
      throw UsageError("--interactive works with one app only");
  } else {
    out.quiet = res["quiet"].as<bool>();
  }
  return out;
}

}  // namespace pod::cli
