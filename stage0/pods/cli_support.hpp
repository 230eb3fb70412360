// What the pod commands share on the way from arguments to pods.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stage0/pods/pod.hpp"

namespace pod::pods {

// The pods named by UUID (prefix) arguments and/or a --uuid-file; at least one is required.
// Each is resolved to a full UUID; errors name the argument.
[[nodiscard]] std::vector<std::string> uuids_from_args(const std::string& data_dir,
                                                       const std::vector<std::string>& args,
                                                       const std::optional<std::string>& uuid_file);

// One pod from one argument (or the --uuid-file), opened unlocked.
[[nodiscard]] Pod open_pod_arg(const std::string& data_dir, const std::vector<std::string>& args,
                               const std::optional<std::string>& uuid_file);

}  // namespace pod::pods
