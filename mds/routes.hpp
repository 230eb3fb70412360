// The /acMetadata/v1 endpoints of spec/ace.md, behind the pod's token:
//   /<token>/acMetadata/v1/pod/{annotations,manifest,uuid}           GET
//   /<token>/acMetadata/v1/pod/hmac/{sign,verify}                    POST (form)
//   /<token>/acMetadata/v1/apps/<app>/{annotations,image/manifest,image/id}  GET
// A request is answered only when the token names a registered pod that still runs and
// the request comes from one of that pod's addresses: a pod that learns another pod's
// URL still gets nothing from it.
#pragma once

#include <string>

#include "mds/http.hpp"
#include "mds/registry.hpp"

namespace pod::mds {

// How a route reaches the world (pod_state.hpp by default; fakes in tests).
struct PodProbe {
  bool (*running)(const std::string& pod_dir);
  std::vector<std::string> (*addresses)(const std::string& pod_dir);
};

[[nodiscard]] PodProbe real_probe();

// `peer` is the client's IP address as text. A pod found dead is unregistered.
[[nodiscard]] HttpResponse route(const HttpRequest& req, const std::string& peer, Registry& registry,
                                 const PodProbe& probe);

// Image annotations overridden and extended by the pod manifest's app annotations, in
// the image's order then the app's (the validator compares them as a list).
[[nodiscard]] std::string merged_annotations(const std::string& image_manifest, const std::string& pod_manifest,
                                             const std::string& app);

}  // namespace pod::mds
