// pod's view of pods and images turned into rkt's v1alpha messages.
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "api-service/pod_reader.hpp"
#include "api.pb.h"
#include "stage0/store/store.hpp"

namespace pod::api {

[[nodiscard]] v1alpha::PodState to_proto(pods::PodState s);

// Looks an image up for the detail of a pod's apps; nullopt when the store lacks it.
using ImageLookup = std::function<std::optional<store::ImageRecord>(const std::string& id)>;

// `detail`: the pod manifest and each app's full image (from `lookup`); without it the
// apps carry only their image ID, as rkt's ListPods does.
[[nodiscard]] v1alpha::Pod to_proto(const PodRecord& rec, bool detail, const ImageLookup& lookup);

// `detail`: the image manifest bytes too.
[[nodiscard]] v1alpha::Image to_proto(const store::ImageRecord& rec, bool detail);
// An OCI image (one in `oci`, ID -> manifest media type) says so in its base format; the
// store describes it with an appc manifest like any other image.
void mark_oci(v1alpha::Image& img, const std::map<std::string, std::string>& oci);

// net-info.json entries (Documentation/stage1-abi.md) as Network messages.
void add_networks(const nlohmann::json& networks, v1alpha::Pod& pod);

}  // namespace pod::api
