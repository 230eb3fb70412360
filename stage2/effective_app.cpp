#include "stage2/effective_app.hpp"

#include <set>

#include "common/error.hpp"

namespace pod::stage2 {

std::string isolator_kind(const std::string& name) {
  if (name == aci::kIsolatorCapsRetain || name == aci::kIsolatorCapsRemove) return "capabilities";
  if (name == aci::kIsolatorSeccompRetain || name == aci::kIsolatorSeccompRemove) return "seccomp";
  return name;
}

aci::App effective_app(const aci::ImageManifest& image, const aci::RuntimeApp* runtime,
                       const std::string& app_name) {
  const aci::App* over = runtime && runtime->app ? &*runtime->app : nullptr;
  if (!image.app && !over) {
    Error err("app " + app_name + ": image " + image.name +
              " has no app section and the pod manifest gives none");
    err.set_hint("pass --exec (and --user/--group) for this image, or build it with an app");
    throw err;
  }
  if (!over) return *image.app;
  if (!image.app) return *over;

  aci::App app = *image.app;
  if (!over->exec.empty()) app.exec = over->exec;
  if (!over->user.empty()) app.user = over->user;
  if (!over->group.empty()) app.group = over->group;
  if (!over->working_directory.empty()) app.working_directory = over->working_directory;
  if (!over->supplementary_gids.empty()) app.supplementary_gids = over->supplementary_gids;
  if (!over->mount_points.empty()) app.mount_points = over->mount_points;
  if (!over->ports.empty()) app.ports = over->ports;
  if (!over->event_handlers.empty()) app.event_handlers = over->event_handlers;
  for (const auto& kv : over->environment) app.environment.set(kv.name, kv.value);

  std::set<std::string> overridden;
  for (const auto& iso : over->isolators) overridden.insert(isolator_kind(iso.name));
  std::vector<aci::Isolator> isolators;
  for (const auto& iso : app.isolators) {
    if (!overridden.count(isolator_kind(iso.name))) isolators.push_back(iso);
  }
  for (const auto& iso : over->isolators) isolators.push_back(iso);
  app.isolators = std::move(isolators);

  if (app.exec.empty()) {
    Error err("app " + app_name + ": no exec in the image's app section nor in the pod manifest");
    err.set_hint("pass --exec for this image");
    throw err;
  }
  return app;
}

}  // namespace pod::stage2
