// HTTP(S) GETs on libcurl for images, signatures, discovery pages and keys:
// TLS verified (the CA bundle may come from $SSL_CERT_FILE or $CURL_CA_BUNDLE),
// plain http only when allowed, credentials from auth.d, conditional requests with
// If-None-Match, Cache-Control max-age read back, transient failures retried with
// exponential back-off, and a progress bar on stderr when it is a terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/log.hpp"
#include "stage0/fetch/auth_config.hpp"
#include "stage0/fetch/retry_policy.hpp"

namespace pod::fetch {

struct HttpSettings {
  bool allow_http = false;       // --insecure-options=http
  bool skip_tls_verify = false;  // --insecure-options=tls
  std::string ca_bundle;         // a PEM file of CAs to trust instead of the system's
  RetryPolicy retry;
  AuthConfig auth;
  bool progress = true;  // draw a bar for downloads (only ever on a terminal)
  long connect_timeout_seconds = 10;
  long stall_timeout_seconds = 30;  // give up when nothing arrives for this long

  // CA bundle from the environment: $SSL_CERT_FILE, else $CURL_CA_BUNDLE, else none.
  [[nodiscard]] static std::string ca_bundle_from_env();
};

struct HttpResult {
  long status = 0;
  std::string etag;     // as sent, quotes included
  int64_t max_age = 0;  // Cache-Control max-age; 0 when absent or no-cache/no-store
  std::string effective_url;  // after redirects
  uint64_t bytes = 0;
  [[nodiscard]] bool not_modified() const noexcept { return status == 304; }
};

// An HTTP status that ends a request (after retries for 5xx).
class HttpStatusError : public Error {
 public:
  HttpStatusError(long status, std::string message, std::string hint = {})
      : Error(std::move(message), 0, std::move(hint)), status_(status) {}
  [[nodiscard]] long status() const noexcept { return status_; }
  [[nodiscard]] bool not_found() const noexcept { return status_ == 404 || status_ == 410; }

 private:
  long status_;
};

// Parses a Cache-Control value: max-age seconds, 0 for no-cache/no-store or none.
[[nodiscard]] int64_t parse_max_age(std::string_view cache_control);

class HttpClient {
 public:
  HttpClient(HttpSettings settings, Logger log);

  // GETs `url` into fd (truncated first and again before each retry). With
  // `if_none_match`, a 304 answer leaves fd empty and result.not_modified() true.
  [[nodiscard]] HttpResult download(const std::string& url, int fd, const std::string& what,
                                    const std::string& if_none_match = {});
  // GETs a small document (at most max_bytes) into memory.
  [[nodiscard]] std::string get_text(const std::string& url, const std::string& what,
                                     size_t max_bytes = 4 << 20, HttpResult* result = nullptr);

  // A HEAD request: throws HttpStatusError (404 ...) like a GET would, downloads nothing.
  [[nodiscard]] HttpResult head(const std::string& url, const std::string& what);

  [[nodiscard]] const HttpSettings& settings() const noexcept { return settings_; }

 private:
  struct Sink;
  HttpResult perform(const std::string& url, Sink& sink, const std::string& what,
                     const std::string& if_none_match);

  HttpSettings settings_;
  Logger log_;
};

}  // namespace pod::fetch
