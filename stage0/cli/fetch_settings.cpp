#include "stage0/cli/fetch_settings.hpp"

namespace pod::cli {

fetch::FetchSettings fetch_settings_from(const GlobalOptions& g) {
  fetch::FetchSettings s;
  s.local_config = g.local_config;
  s.system_config = g.system_config;
  s.user_config = g.user_config;
  s.docker_config = g.docker_config;
  s.insecure_image = g.is_insecure("image");
  s.insecure_tls = g.is_insecure("tls");
  s.insecure_http = g.is_insecure("http");
  s.trust_keys_from_https = g.trust_keys_from_https;
  s.insecure_pubkey = g.is_insecure("pubkey");
  return s;
}

}  // namespace pod::cli
