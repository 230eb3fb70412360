// Brings an image into the store and returns its ID: from the store itself, a local
// file, an http(s) URL or an appc name found by meta discovery, following the pull
// policy, and checking the image's detached signature against the keys trusted for
// its name BEFORE anything is imported (unless --insecure-options=image).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage0/fetch/http_client.hpp"
#include "stage0/fetch/pull_policy.hpp"
#include "stage0/fetch/trust_store.hpp"
#include "stage0/store/store.hpp"

namespace pod::fetch {

struct FetchSettings {
  std::string local_config;   // --local-config: trust store, auth.d
  std::string system_config;  // --system-config: trust store, auth.d
  std::string user_config;    // --user-config: auth.d
  // --docker-config: Docker's config.json with registry credentials for docker:// images
  // ("" = $DOCKER_CONFIG/config.json, else ~/.docker/config.json, when present).
  std::string docker_config;
  bool insecure_image = false;  // skip signature verification (warned about)
  bool insecure_tls = false;    // do not verify TLS certificates
  bool insecure_http = false;   // allow plain http (and http discovery)
  bool trust_keys_from_https = false;  // trust keys found by discovery over https
  bool insecure_pubkey = false;  // ... and over http or unverified TLS too (rkt's "pubkey")
  PullPolicy pull_policy = PullPolicy::new_;
  bool progress = true;  // progress bar (only ever drawn on a terminal)
};

// The HTTP settings fetch settings imply (auth.d is read here: throws naming a bad file).
[[nodiscard]] HttpSettings make_http_settings(const FetchSettings& settings);

class ImageFetcher {
 public:
  ImageFetcher(store::Store& store, FetchSettings settings, Logger log);

  // Returns the image ID. Throws Error naming the image and the step that failed.
  // `signature_file` replaces the signature the image's location implies (rkt's
  // --signature): a local file holding the detached signature.
  [[nodiscard]] std::string fetch(const std::string& image,
                                  const std::optional<std::string>& signature_file = {});

 private:
  // `signature_file`, when set, is used instead of the .asc the location implies.
  [[nodiscard]] std::string fetch_file(const std::string& path,
                                       const std::optional<std::string>& signature_file);
  [[nodiscard]] std::string fetch_url(
      const std::string& url, const std::string& display, const std::string& signature_url,
      const std::string& expected_name,
      const std::vector<std::pair<std::string, std::string>>& expected_labels,
      const std::optional<std::string>& signature_file);
  [[nodiscard]] std::string fetch_name(const std::string& ref,
                                       const std::optional<std::string>& signature_file);
  // Verifies fd's signature against the keys trusted for `name`; throws when it fails.
  void verify(int fd, const std::string& signature, const std::string& image,
              const std::string& name);
  void auto_trust(const std::string& name, const std::vector<std::string>& pubkey_urls);
  // Made on first use, so a local file never needs auth.d to be readable.
  HttpClient& http();

  store::Store& store_;
  FetchSettings settings_;
  Logger log_;
  TrustStore trust_;
  std::optional<HttpClient> http_;
  // For an http:// image URL given as such (rkt's rule): plain http allowed, since the
  // image's signature protects it; --insecure-options=http still governs discovery.
  bool direct_http_url_ = false;
};

}  // namespace pod::fetch
