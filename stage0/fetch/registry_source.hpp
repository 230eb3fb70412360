// A Docker Registry HTTP API v2 repository as an OciSource: the /v2/ ping, the
// WWW-Authenticate challenge answered (Bearer token from the realm, anonymous or with
// credentials; or Basic), manifests with the Accept header, blobs downloaded (redirects
// followed, the size bounded while streaming, resumed with a Range request after a broken
// connection) into anonymous files on the store's file system.
#pragma once

#include <memory>
#include <string>

#include "common/log.hpp"
#include "oci/auth.hpp"
#include "oci/reference.hpp"
#include "stage0/fetch/image_fetcher.hpp"
#include "stage0/fetch/oci_source.hpp"

namespace pod::fetch {

// Credentials for a registry host[:port]: auth.d dockerAuth files (user over local over
// system), then Docker's config.json (settings.docker_config, default
// $DOCKER_CONFIG/config.json or ~/.docker/config.json). nullopt when none.
[[nodiscard]] std::optional<oci::RegistryCredentials> registry_credentials(
    const FetchSettings& settings, const std::string& host);

// `scratch_dir`: where downloads go (anonymous files).
[[nodiscard]] std::unique_ptr<OciSource> open_registry_source(const oci::DockerName& name,
                                                              const FetchSettings& settings,
                                                              const Logger& log,
                                                              const std::string& scratch_dir);

}  // namespace pod::fetch
