#include "stage1/common/net/port_mappings.hpp"

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::stage1::net {

std::vector<PortMapping> match_ports(
    const aci::PodManifest& pod, const std::vector<std::pair<std::string, aci::ImageManifest>>& apps) {
  std::vector<PortMapping> out;
  for (const auto& exposed : pod.ports) {
    // appc's podPort: the pod's own port, named without an app (a sandbox's --port, whose
    // apps come later).
    if (auto pp = exposed.extra.find("podPort"); pp != exposed.extra.end() && pp->is_object()) {
      const int port = pp->value("port", 0);
      if (port <= 0 || port > 65535) throw Error("--port " + exposed.name + ": podPort has no valid port number");
      out.push_back({"", exposed.name, pp->value("protocol", std::string("tcp")), static_cast<uint16_t>(port),
                     exposed.host_port, exposed.host_ip});
      continue;
    }
    std::vector<PortMapping> found;
    std::vector<std::string> declared;
    for (const auto& [app_name, image] : apps) {
      const aci::RuntimeApp* rt = pod.find_app(app_name);
      const std::optional<aci::App>& app = rt && rt->app ? rt->app : image.app;
      if (!app) continue;
      for (const auto& p : app->ports) {
        declared.push_back(app_name + ":" + p.name + " (" + p.protocol + "/" +
                           std::to_string(p.port) + ")");
        if (p.name != exposed.name) continue;
        found.push_back({app_name, p.name, p.protocol, p.port, exposed.host_port, exposed.host_ip});
      }
    }
    if (found.empty())
      throw Error("--port " + exposed.name + ":" + std::to_string(exposed.host_port) +
                      ": no app of the pod declares a port named " + exposed.name,
                  0,
                  declared.empty() ? "the pod's apps declare no ports (image manifest app.ports)"
                                   : "the apps declare " + join(declared, ", "));
    if (found.size() > 1)
      throw Error("--port " + exposed.name + ": apps " + found[0].app + " and " + found[1].app +
                  " both declare a port named " + exposed.name);
    out.push_back(found.front());
  }
  return out;
}

std::vector<PortMapping> resolve_port_mappings(const PodLayout& pod) {
  std::string manifest_path = pod.pod_manifest();
  auto manifest = with_context("reading the pod manifest " + manifest_path, [&] {
    return aci::PodManifest::parse(read_file(manifest_path));
  });
  if (manifest.ports.empty()) return {};
  std::vector<std::pair<std::string, aci::ImageManifest>> apps;
  for (const auto& app : manifest.apps) {
    std::string path = pod.app_manifest(app.name);
    apps.emplace_back(app.name, with_context("reading the image manifest of app " + app.name, [&] {
                        return aci::ImageManifest::parse(read_file(path));
                      }));
  }
  return match_ports(manifest, apps);
}

nlohmann::json port_mappings_json(const std::vector<PortMapping>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : ports) {
    nlohmann::json m = {{"hostPort", p.host_port},
                        {"containerPort", p.container_port},
                        {"protocol", p.protocol.empty() ? "tcp" : p.protocol}};
    if (!p.host_ip.empty()) m["hostIP"] = p.host_ip;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace pod::stage1::net
