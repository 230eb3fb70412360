// Fetching OCI and Docker images (docker://, oci:, docker-archive:) into the store:
// manifest (an index resolved to this host's platform), signature (simple signing, from
// the lookaside stores sigstore.d names) BEFORE any layer is read, configuration, then
// each layer the store does not hold yet, every digest and size checked, and finally the
// image row. Prints nothing on stdout; returns the image ID.
#pragma once

#include <string>

#include "common/log.hpp"
#include "oci/reference.hpp"
#include "stage0/fetch/image_fetcher.hpp"
#include "stage0/fetch/trust_store.hpp"
#include "stage0/store/store.hpp"

namespace pod::fetch {

class OciFetcher {
 public:
  OciFetcher(store::Store& store, const FetchSettings& settings, const Logger& log);
  [[nodiscard]] std::string fetch(const std::string& text);

 private:
  store::Store& store_;
  const FetchSettings& settings_;
  Logger log_;
};

}  // namespace pod::fetch
