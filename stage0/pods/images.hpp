// Turning the image arguments of run/prepare (and the stage1 selection) into images in
// the store: local ACI files are imported, names and IDs looked up; what the store lacks
// is fetched per --pull-policy once the fetcher is available.
#pragma once

#include <string>

#include "common/log.hpp"
#include "stage0/pods/stage1_config.hpp"
#include "stage0/store/store.hpp"

namespace pod::pods {

struct ImageSourceOptions {
  std::string pull_policy = "new";  // never, new, update
  std::string system_config;
  std::string local_config;
  std::string user_config;
  std::string docker_config;  // --docker-config, for docker:// images
  bool insecure_image = false;  // --insecure-options=image: no signature check
  bool insecure_tls = false;
  bool insecure_http = false;
  bool trust_keys_from_https = false;
};

// Is `ref` a path to a local file (rather than a name or an ID)?
[[nodiscard]] bool looks_like_path(const std::string& ref);
[[nodiscard]] bool looks_like_url(const std::string& ref);

// The image ID for an app image argument. Throws naming the argument, with a hint.
[[nodiscard]] std::string resolve_image(store::Store& store, const std::string& ref,
                                        const ImageSourceOptions& opts, const Logger& log);

// The image ID of the stage1 to use (see stage1_config.hpp for the order).
[[nodiscard]] std::string resolve_stage1(store::Store& store, const Stage1Selection& sel,
                                         const ImageSourceOptions& opts, const Logger& log);

}  // namespace pod::pods
