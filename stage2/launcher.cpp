#include "stage2/launcher.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage2/app_manifests.hpp"
#include "stage2/capabilities.hpp"
#include "stage2/effective_app.hpp"
#include "stage2/environment.hpp"
#include "stage2/exec.hpp"
#include "stage2/identity.hpp"
#include "stage2/oom_score_adj.hpp"
#include "stage2/passwd.hpp"
#include "stage2/rlimits.hpp"
#include "stage2/root_switch.hpp"
#include "stage2/seccomp.hpp"

namespace pod::stage2 {
namespace {

bool no_new_privileges_of(const aci::App& app) {
  const aci::Isolator* iso = app.find_isolator(aci::kIsolatorNoNewPrivs);
  if (!iso) return false;
  if (const auto* b = std::get_if<aci::BoolIsolator>(&iso->parsed)) return b->value;
  return iso->value.is_boolean() && iso->value.get<bool>();
}

// The app's user database, read after the chroot so its symlinks resolve in the app's
// tree. A missing file is an empty database ("root" and numbers still work).
std::string read_optional(const std::string& path) {
  if (!path_exists(path)) return {};
  return read_file(path);
}

std::string describe_caps(const CapabilityPlan& plan) {
  if (plan.unrestricted) return "unrestricted";
  std::vector<std::string> names;
  for (int c : plan.bounding) names.emplace_back(aci::capability_names().at(c));
  return join(names, ",");
}

}  // namespace

namespace {

// The appc spec lets user and group be a path in the image: the owner of that file.
std::string owner_or_name(const std::string& spec, bool user) {
  if (spec.empty() || spec.front() != '/') return spec;
  struct stat st{};
  if (stat(spec.c_str(), &st) != 0) {
    Error err(std::string(user ? "user" : "group") + " \"" + spec +
                  "\": the file whose owner it names is not in the app's rootfs",
              errno);
    err.set_hint("give a path that exists in the image, a name, or a number");
    throw err;
  }
  return std::to_string(user ? st.st_uid : st.st_gid);
}

}  // namespace

void launch(const LauncherOptions& o, const Logger& log) {
  AppManifests m = o.pod_dir.empty() ? read_app_manifests(o.pod_manifest, o.image_manifest, o.app)
                                     : read_app_manifests(o.pod_dir, o.app);
  const aci::App app = effective_app(m.image, m.pod.find_app(o.app), o.app);
  const CapabilityPlan caps = plan_capabilities(app, o.app, o.disable_capabilities_restriction);
  const SeccompPlan seccomp = plan_seccomp(app, o.app, o.disable_seccomp);
  const bool no_new_privs = no_new_privileges_of(app);
  const auto rlimits = merge_rlimits(default_rlimits(kernel_nr_open()), o.rlimits);
  const auto oom = oom_score_adj_of(app);

  with_context("app " + o.app, [&] {
    if (oom) apply_oom_score_adj(*oom);
    apply_rlimits(rlimits);
  });

  with_context("app " + o.app + ": entering its rootfs " + o.root, [&] {
    switch_root(o.root, o.pivot_root ? RootSwitch::pivot_root : RootSwitch::chroot);
  });

  ResolvedUser user;
  Identity identity;
  with_context("app " + o.app, [&] {
    user = resolve_user(owner_or_name(app.user, true),
                        parse_passwd(read_optional("/etc/passwd")), "/etc/passwd");
    identity.uid = user.uid;
    identity.gid = resolve_group(owner_or_name(app.group, false),
                                 parse_group(read_optional("/etc/group")), "/etc/group");
    identity.supplementary_gids = app.supplementary_gids;
  });

  EnvironmentInputs env_in;
  env_in.app_name = o.app;
  env_in.metadata_url = o.metadata_url;
  env_in.notify_socket = o.notify_socket;
  // How the nspawn flavor hands pod init's children the pod's AC_METADATA_URL
  // (Documentation/stage1-abi.md); --metadata-url wins.
  if (const char* url = std::getenv(kMetadataUrlEnv); url && *url && !env_in.metadata_url)
    env_in.metadata_url = url;
  env_in.app_environment = app.environment;
  env_in.user = user;
  if (const char* term = std::getenv("TERM"); term && o.interactive) env_in.term = term;
  env_in.listen_fds = o.listen_fds;
  env_in.listen_fdnames = o.listen_fdnames;
  env_in.listen_pid = getpid();  // the app's own: execve keeps it
  const aci::Environment env = build_environment(env_in);

  const std::string cwd = app.working_directory.empty() ? "/" : app.working_directory;
  with_context("app " + o.app + ": changing to working directory " + cwd,
               [&] { check_sys(chdir(cwd.c_str()), "chdir"); });

  std::vector<std::string> argv = o.replace_exec ? std::vector<std::string>{} : app.exec;
  argv.insert(argv.end(), o.extra_args.begin(), o.extra_args.end());
  if (argv.empty()) {
    Error err("app " + o.app + " has nothing to execute: no exec in its image or the pod manifest");
    err.set_hint("give the app's command with --exec");
    throw err;
  }
  const std::string program =
      resolve_program(argv.front(), env.get("PATH").value_or(kDefaultPath), o.app, classify_file);

  log.debug("app " + o.app + ": uid " + std::to_string(identity.uid) + " gid " +
            std::to_string(identity.gid) + ", capabilities " + describe_caps(caps) + ", seccomp " +
            (seccomp.mode == SeccompMode::disabled ? "off"
             : seccomp.mode == SeccompMode::allow_list ? "allow-list"
                                                       : "deny-list") +
            ", exec " + program);

  with_context("app " + o.app, [&] {
    // The filter goes in while CAP_SYS_ADMIN is still ours when it lets the rest of the
    // set-up through; otherwise last, where the kernel may require no_new_privs for it.
    const bool seccomp_early = seccomp.mode != SeccompMode::disabled &&
                               has_effective_sys_admin() && permits_launcher_setup(seccomp);
    auto load_filter = [&] {
      auto skipped = load_seccomp_filter(seccomp);
      if (!skipped.empty())
        log.debug("seccomp: not on this architecture, skipped: " + join(skipped, " "));
    };
    if (seccomp_early) load_filter();
    apply_bounding_set(caps);
    if (no_new_privs) check_sys(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs");
    prepare_keep_capabilities(caps, identity.uid);
    switch_identity(identity);
    apply_process_capabilities(caps, identity.uid);
    if (!seccomp_early) load_filter();
  });

  execute(program, argv, environment_strings(env), o.app);
}

namespace {

template <typename Print>
int launch_and_report(const LauncherOptions& options, const Logger& log, const Print& print) {
  try {
    launch(options, log);
  } catch (const ExecError& e) {
    print(e);
    return e.exit_code();
  } catch (const UsageError& e) {
    print(e);
    return 2;
  } catch (const Error& e) {
    print(e);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stage2: app %s: %s\n", options.app.c_str(), e.what());
    return 1;
  }
  return 1;  // launch() execs or throws
}

}  // namespace

int launcher_main(const std::vector<std::string>& args) {
  LauncherOptions options;
  auto print = [](const Error& e) {
    std::fprintf(stderr, "stage2: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "stage2: %s\n", e.hint().c_str());
  };
  try {
    options = parse_launcher_options(args);
  } catch (const Error& e) {
    print(e);
    return 2;
  }
  Logger log(options.debug);
  // Closed by the app's exec: only a launch that failed reaches the write below.
  if (options.launch_error_fd >= 0) (void)fcntl(options.launch_error_fd, F_SETFD, FD_CLOEXEC);
  int code = launch_and_report(options, log, print);
  if (options.launch_error_fd >= 0) (void)!write(options.launch_error_fd, "x", 1);
  return code;
}

}  // namespace pod::stage2
