#include "stage1/kvm/run_plan.hpp"

#include <unistd.h>

#include <sys/stat.h>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/common/cgroups/limits.hpp"
#include "stage1/kvm/layout.hpp"
#include "stage1/nspawn/pod_network_plan.hpp"
#include "stage2/effective_app.hpp"

namespace pod::stage1::kvm {
namespace {

std::vector<std::string> launcher_flags(const nspawn::RunOptions& o) {
  std::vector<std::string> flags;
  if (o.disable_capabilities_restriction) flags.emplace_back("--disable-capabilities-restriction");
  if (o.disable_seccomp) flags.emplace_back("--disable-seccomp");
  return flags;
}

std::vector<std::string> init_command(const nspawn::RunOptions& o) {
  const std::string pod = kPodDirInGuest;
  std::vector<std::string> a{kInitPath, "--uuid=" + o.uuid, std::string("--launcher=") + kLauncherPath,
                             "--pod-manifest=" + pod + "/pod", "--appsinfo=" + pod + "/appsinfo",
                             std::string("--host-volumes=") + kHostVolumesInGuest};
  for (const auto& f : launcher_flags(o)) a.push_back(f);
  if (o.disable_paths) a.emplace_back("--disable-paths");
  if (o.debug) a.emplace_back("--debug");
  a.emplace_back("--notify");  // the guest's PID 1 tells the host once every app runs
  return a;
}

bool is_directory(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

RunPlan plan_run(const PodLayout& pod, const nspawn::RunOptions& o) {
  RunPlan plan;
  aci::PodManifest manifest;
  with_context("reading pod manifest " + pod.pod_manifest(),
               [&] { manifest = aci::PodManifest::parse(read_file(pod.pod_manifest())); });
  std::vector<cgroups::Limits> limits;
  for (const auto& runtime : manifest.apps) {
    aci::ImageManifest image;
    with_context("reading image manifest " + pod.app_manifest(runtime.name),
                 [&] { image = aci::ImageManifest::parse(read_file(pod.app_manifest(runtime.name))); });
    limits.push_back(cgroups::limits_of(stage2::effective_app(image, &runtime, runtime.name), runtime.name, 0));
  }
  plan.size = size_vm(limits, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  int n = 0;
  for (const auto& v : manifest.volumes) {
    if (v.kind != "host") continue;
    if (!path_exists(v.source)) {
      Error err("volume " + v.name + ": host path " + v.source + " does not exist");
      err.set_hint("create it, or point the volume's source at an existing path");
      throw err;
    }
    if (!is_directory(v.source)) {
      Error err("volume " + v.name + ": host path " + v.source + " is no directory; stage1-kvm shares directories only");
      err.set_hint("share the directory that holds it, or run the pod with the nspawn flavor");
      throw err;
    }
    const std::string tag = "vol" + std::to_string(n++);
    plan.volumes.push_back({tag, v.source, v.read_only.value_or(false)});
    plan.guest.volumes.push_back({tag, v.name, v.read_only.value_or(false)});
  }
  plan.guest.init_argv = init_command(o);
  plan.guest.hostname = o.hostname.empty() ? "pod-" + o.uuid : o.hostname;
  return plan;
}

net::PodNetwork set_up_network(const PodLayout& pod, const nspawn::RunOptions& o, const Logger& log) {
  net::SetupRequest request;
  request.uuid = o.uuid;
  request.selection = net::parse_net_flags(o.net);
  request.local_config = o.local_config;
  request.system_config = o.system_config;
  request.debug = o.debug;
  if (request.selection.mode == net::NetworkSelection::Mode::host) {
    Error err("stage1-kvm cannot share the host's network: the VM has a kernel of its own");
    err.set_hint("run the pod with --net=default (or a named network), or --net=none");
    throw err;
  }
  if (request.selection.mode == net::NetworkSelection::Mode::none) {
    net::PodNetwork none;
    none.mode = net::NetworkSelection::Mode::none;
    return none;
  }
  return net::setup_pod_network(pod, request, log);
}

void add_network(GuestConfig& guest, const net::PodNetwork& network, const nspawn::RunOptions& o) {
  std::vector<std::string> dns = o.dns;
  for (const auto& n : network.networks) {
    if (o.dns.empty())
      for (const auto& ns : n.dns_nameservers) dns.push_back(ns);
    if (n.ifname != "eth0" || guest.network || n.ip.find(':') != std::string::npos) continue;
    GuestNetwork g{n.ip, n.mask.empty() ? 32 : std::stoi(n.mask), n.gateway};
    guest.network = g;
  }
  for (const auto& d : dns) guest.init_argv.push_back("--dns=" + d);
  // The guest takes eth0's address, so the metadata service tells the pod by it as for nspawn.
  nspawn::PodNetworkPlan reach;
  if (guest.network) reach.host_address = guest.network->gateway;
  guest.metadata_url = nspawn::metadata_url(o, reach);
}

void write_guest_files(const PodLayout& pod, const GuestConfig& guest, const nspawn::RunOptions& o) {
  const std::string root = pod.stage1_rootfs();
  make_dirs(root + kStateDir);
  make_dirs(root + kPodDirInGuest);
  for (const auto& v : guest.volumes) make_dirs(root + kHostVolumesInGuest + "/" + v.name);
  write_file_atomic(root + kGuestConfig, format_guest_config(guest), 0644, false);
  write_file_atomic(root + kLauncherFlags, join(launcher_flags(o), "\n"), 0644, false);
}

}  // namespace pod::stage1::kvm
