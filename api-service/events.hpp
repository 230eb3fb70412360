// ListenEvents: what changed between two looks at the data directory, as rkt's events.
// The service keeps no record of its own: each stream compares what it sees now with
// what it saw last, woken by a Watcher (watcher.hpp) when something may have changed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api-service/pod_reader.hpp"
#include "api.pb.h"

namespace pod::api {

using PodStates = std::map<std::string, pods::PodState>;  // uuid -> state
using ImageNames = std::map<std::string, std::string>;    // image id -> name

struct PodTransition {
  std::string uuid;
  std::optional<pods::PodState> from;  // nullopt: new since the last look
  std::optional<pods::PodState> to;    // nullopt: removed
};

[[nodiscard]] PodStates pod_states(const std::vector<PodEntry>& entries);
[[nodiscard]] std::vector<PodTransition> pod_transitions(const PodStates& before,
                                                         const PodStates& after);

// The events of one transition, at `now` (unix seconds). `rec` (the pod as it is now, may
// be null) names the apps of app events and their exit codes.
[[nodiscard]] std::vector<v1alpha::Event> pod_events(const PodTransition& t, const PodRecord* rec,
                                                     int64_t now);

[[nodiscard]] std::vector<v1alpha::Event> image_events(const ImageNames& before,
                                                       const ImageNames& after, int64_t now);

}  // namespace pod::api
