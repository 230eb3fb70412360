// The apps of a running mutable pod (`pod app add|start|stop|rm`, Documentation/app.md):
// stage0's side of the stage1 ABI's app entrypoints. The pod manifest is rewritten
// atomically under the pod's app lock (an flock on its appsinfo/ directory: the pod
// directory's own lock is held by stage1 for as long as the pod runs), so concurrent
// `app add`/`app rm` are serialized and every reader sees a whole manifest.
#pragma once

#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/flock.hpp"
#include "common/log.hpp"
#include "stage0/pods/images.hpp"
#include "stage0/pods/pod.hpp"
#include "stage0/pods/run_args.hpp"
#include "stage0/pods/stage1_exec.hpp"
#include "stage0/store/store.hpp"

namespace pod::pods {

// rkt's pod manifest annotation for a pod whose apps may change while it runs.
inline constexpr const char* kMutableAnnotation = "coreos.com/rkt/stage1/mutable";
inline constexpr const char* kEntrypointAppAdd = "coreos.com/rkt/stage1/app/add";
inline constexpr const char* kEntrypointAppStart = "coreos.com/rkt/stage1/app/start";
inline constexpr const char* kEntrypointAppStop = "coreos.com/rkt/stage1/app/stop";
inline constexpr const char* kEntrypointAppRm = "coreos.com/rkt/stage1/app/rm";

// The pod's app lock, held until destroyed (waits for another app add/rm to finish).
[[nodiscard]] FileLock lock_apps(const Pod& pod);

// The pod's stage1, after checking that the pod is a running mutable pod whose stage1
// declares `annotation`; throws Error naming the pod and what to do otherwise.
[[nodiscard]] Stage1Image require_sandbox(const Pod& pod, const std::string& annotation);

// The pod's manifest and whether it names `app`.
[[nodiscard]] aci::PodManifest read_manifest(const Pod& pod);
// Throws Error naming the pod, the app and the apps it has.
void require_app(const Pod& pod, const aci::PodManifest& manifest, const std::string& app);

// A volume and its mount for the app (`--mnt-volume name=N,kind=host,source=S,target=T
// [,readOnly=true]`, rkt's syntax).
struct MountedVolume {
  aci::Volume volume;
  aci::Mount mount;
};
[[nodiscard]] MountedVolume parse_mnt_volume(const std::string& text);

struct AddRequest {
  AppOptions app;
  std::vector<MountedVolume> volumes;
  ImageSourceOptions sources;
};

// Adds the app (prepared, not started) to the running sandbox; returns its name. On
// failure nothing is changed: the manifest, appsinfo/ and overlay/ are as before.
[[nodiscard]] std::string add_app(Pod& pod, store::Store& store, const AddRequest& req, const Logger& log);

// app start/stop/rm through the stage1 entrypoint (rm also removes the app's files and
// its entry in the manifest).
void start_app(const Pod& pod, const std::string& app, const Logger& log);
void stop_app(const Pod& pod, const std::string& app, const Logger& log);
void remove_app(const Pod& pod, const std::string& app, const Logger& log);

}  // namespace pod::pods
