#include "stage0/fetch/registry_source.hpp"

#include <curl/curl.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/manifest.hpp"
#include "stage0/fetch/curl_api.hpp"
#include "stage0/fetch/oci_local_sources.hpp"
#include "stage0/fetch/progress_bar.hpp"
#include "stage0/version.hpp"

namespace pod::fetch {

namespace {

struct EasyDeleter {
  void operator()(CURL* c) const noexcept { curl_api().easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_api().slist_free_all(l); }
};
using CurlEasy = std::unique_ptr<CURL, EasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, SlistDeleter>;

constexpr int kAttempts = 4;

struct Response {
  long status = 0;
  std::string content_type;
  std::string www_authenticate;
  std::string body;  // when no fd
  uint64_t written = 0;
};

struct Transfer {
  Response* r = nullptr;
  int fd = -1;
  uint64_t max_bytes = 0;
  bool too_large = false;
  std::optional<Error> write_error;
  ProgressBar* bar = nullptr;
  uint64_t total = 0;
  uint64_t base = 0;  // bytes kept from an earlier attempt
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  std::string_view line(data, size * n);
  if (starts_with(line, "HTTP/")) {  // a new response (after a redirect)
    r->content_type.clear();
    r->www_authenticate.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name = lower(trim(line.substr(0, colon)));
  std::string value(trim(line.substr(colon + 1)));
  if (name == "content-type") r->content_type = value;
  if (name == "www-authenticate" && r->www_authenticate.empty()) r->www_authenticate = value;
  return size * n;
}

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  (void)status;
  if (t->r->written + len > t->max_bytes) {
    t->too_large = true;
    return 0;
  }
  if (t->fd >= 0) {
    try {
      write_all(t->fd, std::string_view(data, len), "the download file");
    } catch (const Error& e) {
      t->write_error = e;
      return 0;
    }
  } else {
    t->r->body.append(data, len);
  }
  t->r->written += len;
  if (t->bar) t->bar->update(t->base + t->r->written, t->total);
  return len;
}

bool transient(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SEND_ERROR ||
         rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
}

std::string url_escape_query(std::string_view s) {
  std::string out;
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string default_docker_config() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return std::string(d) + "/config.json";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.docker/config.json";
  return {};
}

class RegistrySource : public OciSource {
 public:
  RegistrySource(const oci::DockerName& name, const FetchSettings& settings, const Logger& log,
                 std::string scratch)
      : name_(name), settings_(settings), log_(log), scratch_(std::move(scratch)) {
    base_ = std::string(settings.insecure_http ? "http" : "https") + "://" + name.api_host() + "/v2/";
    if (settings.insecure_tls)
      log_.warn("TLS certificates are not verified (--insecure-options=tls): anyone on the path "
                "to " + name.api_host() + " can answer in its place");
    ping();
  }

  FetchedManifest top_manifest() override {
    return get_manifest(name_.digest.empty() ? name_.tag : name_.digest);
  }
  FetchedManifest manifest(const oci::Descriptor& d) override { return get_manifest(d.digest); }
  std::string small_blob(const oci::Descriptor& d) override {
    Response r = request(base_ + name_.repository + "/blobs/" + d.digest, "", -1, d.size + 1,
                         "blob " + d.digest, nullptr, 0);
    return std::move(r.body);
  }
  UniqueFd blob(const oci::Descriptor& d) override {
    UniqueFd fd = anonymous_file_in(scratch_);
    // Layers download in parallel: each gets its own line of the shared board.
    ProgressBar bar(board_, "Downloading " + d.digest.substr(7, 12));
    std::string what = "layer " + d.digest;
    std::string url = base_ + name_.repository + "/blobs/" + d.digest;
    (void)request(url, "", fd.get(), d.size, what, &bar, d.size);
    bar.finish();
    if (::lseek(fd.get(), 0, SEEK_SET) < 0) throw_errno("seeking in the download of " + what);
    return fd;
  }
  std::string describe() const override { return "docker://" + name_.reference(); }

 private:
  FetchedManifest get_manifest(const std::string& ref) {
    Response r = request(base_ + name_.repository + "/manifests/" + ref, std::string(oci::media::kAccept),
                         -1, oci::kMaxManifestSize, "the manifest of " + name_.reference(), nullptr, 0);
    return {std::move(r.body), r.content_type};
  }

  // GET /v2/: learns how the registry wants to be authenticated.
  void ping() {
    Response r = perform(base_, "", -1, 1 << 16, "the registry API of " + name_.api_host(), nullptr, 0, 0);
    if (r.status == 200) return;
    if (r.status == 404)
      throw Error(name_.api_host() + " does not serve the Docker Registry HTTP API v2 (/v2/ is 404)");
    if (r.status != 401)
      throw Error("the registry " + name_.api_host() + " answered HTTP " + std::to_string(r.status) +
                  " to /v2/");
    authenticate(r.www_authenticate);
  }

  void authenticate(const std::string& header) {
    if (header.empty())
      throw Error("the registry " + name_.api_host() + " answered 401 without a WWW-Authenticate challenge");
    oci::Challenge c = oci::parse_challenge(header);
    auto creds = registry_credentials(settings_, name_.domain == oci::kDockerHub ? "docker.io" : name_.domain);
    if (!creds && name_.domain == oci::kDockerHub) creds = registry_credentials(settings_, name_.api_host());
    if (c.scheme == "basic") {
      if (!creds) throw no_credentials();
      std::lock_guard<std::mutex> g(mu_);
      auth_header_ = "Authorization: Basic " + oci::base64_encode(creds->user + ":" + creds->password);
      creds_ = creds;
      log_.debug("registry " + name_.api_host() + ": Basic auth with credentials from " + creds->source);
      return;
    }
    if (c.scheme != "bearer")
      throw Error("the registry " + name_.api_host() + " asks for \"" + c.scheme +
                  "\" authentication, which pod does not speak (Bearer and Basic)");
    std::string realm = c.params["realm"];
    if (realm.empty()) throw Error("the registry's Bearer challenge names no realm");
    std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
    if (!c.params["service"].empty()) url += "service=" + url_escape_query(c.params["service"]) + "&";
    url += "scope=" + url_escape_query("repository:" + name_.repository + ":pull");
    std::string basic;
    if (creds) basic = "Authorization: Basic " + oci::base64_encode(creds->user + ":" + creds->password);
    Response r = perform(url, "", -1, 1 << 20, "a token from " + realm, nullptr, 0, 0, basic);
    if (r.status == 401 || r.status == 403) throw creds ? refused(*creds) : no_credentials();
    if (r.status != 200)
      throw Error("the token service " + realm + " answered HTTP " + std::to_string(r.status));
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    std::string token;
    if (j.is_object()) token = j.value("token", j.value("access_token", std::string()));
    if (token.empty()) throw Error("the token service " + realm + " sent no token");
    std::lock_guard<std::mutex> g(mu_);
    auth_header_ = "Authorization: Bearer " + token;
    creds_ = creds;
    log_.debug("registry " + name_.api_host() + ": Bearer token " +
               (creds ? "with credentials from " + creds->source : std::string("(anonymous)")));
  }

  Error no_credentials() const {
    std::string host = name_.domain;
    Error e("the registry " + host + " requires credentials (HTTP 401) and pod has none for it");
    e.set_hint("write /etc/pod/auth.d/" + oci::appc_name_for(host).substr(0, 40) +
               ".json with {\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[\"" + host +
               "\"],\"credentials\":{\"user\":\"USER\",\"password\":\"PASSWORD\"}}, or log in with "
               "Docker and pass --docker-config=~/.docker/config.json");
    return e;
  }
  static Error refused(const oci::RegistryCredentials& c) {
    Error e("the registry refused the credentials from " + c.source + " (HTTP 401)");
    e.set_hint("check the user and password in " + c.source);
    return e;
  }

  // A registry request with authentication; a 401 midway (an expired token) re-authenticates once.
  Response request(const std::string& url, const std::string& accept, int fd, uint64_t max,
                   const std::string& what, ProgressBar* bar, uint64_t total) {
    for (int round = 0;; ++round) {
      std::string auth;
      {
        std::lock_guard<std::mutex> g(mu_);
        auth = auth_header_;
      }
      Response r = perform(url, accept, fd, max, what, bar, total, 0, auth);
      if (r.status == 401 && round == 0) {
        if (fd >= 0 && (::ftruncate(fd, 0) < 0 || ::lseek(fd, 0, SEEK_SET) < 0))
          throw_errno("resetting the download of " + what);
        authenticate(r.www_authenticate);
        continue;
      }
      if (r.status >= 200 && r.status < 300) return r;
      if (r.status == 401) throw creds_ ? refused(*creds_) : no_credentials();
      if (r.status == 404)
        throw Error(what + " is not in the registry " + name_.api_host() + " (HTTP 404)", ENOENT,
                    "check the name and tag of " + name_.reference());
      throw Error("the registry answered HTTP " + std::to_string(r.status) + " for " + what);
    }
  }

  Response perform(const std::string& url, const std::string& accept, int fd, uint64_t max,
                   const std::string& what, ProgressBar* bar, uint64_t total, int, const std::string& auth = {}) {
    return with_context("fetching " + what + " from " + url, [&] {
      if (starts_with(url, "http://") && !settings_.insecure_http)
        throw Error("refusing plain http", 0, "pass --insecure-options=http to allow it");
      Response r;
      uint64_t kept = 0;
      for (int attempt = 1;; ++attempt) {
        CurlEasy easy(curl_api().easy_init());
        if (!easy) throw Error("cannot initialise libcurl", ENOMEM);
        CURL* c = easy.get();
        std::string protocols = settings_.insecure_http ? "http,https" : "https";
        std::string agent = std::string("pod/") + kPodVersion;
        char errbuf[CURL_ERROR_SIZE] = {};
        Response attempt_r;
        Transfer t{&attempt_r, fd, max > kept ? max - kept : 0, false, std::nullopt, bar, total, kept};
        (void)curl_api().easy_setopt(c, CURLOPT_URL, url.c_str());
        (void)curl_api().easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols.c_str());
        (void)curl_api().easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols.c_str());
        // Blobs are often redirected to a CDN; curl sends no Authorization header there.
        (void)curl_api().easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        (void)curl_api().easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        (void)curl_api().easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
        (void)curl_api().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        (void)curl_api().easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        (void)curl_api().easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        (void)curl_api().easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        (void)curl_api().easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
        (void)curl_api().easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_data);
        (void)curl_api().easy_setopt(c, CURLOPT_WRITEDATA, &t);
        (void)curl_api().easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
        (void)curl_api().easy_setopt(c, CURLOPT_HEADERDATA, &attempt_r);
        if (settings_.insecure_tls) {
          (void)curl_api().easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
          (void)curl_api().easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (const char* ca = std::getenv("SSL_CERT_FILE"); ca && *ca)
          (void)curl_api().easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_slist* list = nullptr;
        std::vector<std::string> headers;
        if (!accept.empty()) headers.push_back("Accept: " + accept);
        if (!auth.empty()) headers.push_back(auth);
        for (const auto& h : headers) {
          curl_slist* grown = curl_api().slist_append(list, h.c_str());
          if (!grown) {
            curl_api().slist_free_all(list);
            throw Error("out of memory building request headers", ENOMEM);
          }
          list = grown;
        }
        CurlSlist header_list(list);
        (void)curl_api().easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
        if (kept > 0) (void)curl_api().easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(kept));
        CURLcode rc = curl_api().easy_perform(c);
        (void)curl_api().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &attempt_r.status);
        if (t.write_error) throw *t.write_error;
        if (t.too_large)
          throw Error("refused: more than the " + std::to_string(max) + " bytes expected");
        if (rc != CURLE_OK) {
          std::string msg = errbuf[0] ? errbuf : curl_api().easy_strerror(rc);
          if (!transient(rc) || attempt >= kAttempts) {
            Error e(msg);
            if (rc == CURLE_SSL_CONNECT_ERROR && starts_with(url, "https://"))
              e.set_hint("if the registry serves plain http (a local registry often does), pass "
                         "--insecure-options=http");
            else if (rc == CURLE_PEER_FAILED_VERIFICATION)
              e.set_hint("point $SSL_CERT_FILE at the CA that signed the registry's certificate, "
                         "or (unsafe) pass --insecure-options=tls");
            else if (rc == CURLE_COULDNT_CONNECT)
              e.set_hint("is a registry listening at " + name_.api_host() + "?");
            throw e;
          }
          // A blob download resumes where it broke (registries serve ranges of blobs).
          if (fd >= 0 && (attempt_r.status == 200 || attempt_r.status == 206)) {
            kept += attempt_r.written;
            log_.warn("fetching " + what + ": " + msg + "; resuming after " + human_size(kept));
          } else {
            if (fd >= 0 && (::ftruncate(fd, 0) < 0 || ::lseek(fd, 0, SEEK_SET) < 0))
              throw_errno("resetting the download of " + what);
            kept = 0;
            log_.warn("fetching " + what + ": " + msg + "; retrying");
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
          continue;
        }
        if (kept > 0 && attempt_r.status == 200) {
          // The server ignored the range and sent everything: keep only this answer.
          throw Error("the registry does not resume downloads; try again");
        }
        if (attempt_r.status >= 500 && attempt < kAttempts) {
          if (fd >= 0 && (::ftruncate(fd, 0) < 0 || ::lseek(fd, 0, SEEK_SET) < 0))
            throw_errno("resetting the download of " + what);
          kept = 0;
          std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
          continue;
        }
        attempt_r.written += kept;
        return attempt_r;
      }
    });
  }

  oci::DockerName name_;
  const FetchSettings& settings_;
  Logger log_;
  std::string scratch_;
  std::string base_;
  std::mutex mu_;
  std::string auth_header_;
  std::optional<oci::RegistryCredentials> creds_;
  ProgressBoard board_{settings_.progress};
};

std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> out;
  if (!is_directory(dir)) return out;
  for (const auto& n : list_dir(dir))
    if (ends_with(n, ".json")) out.push_back(dir + "/" + n);
  return out;
}

}  // namespace

std::optional<oci::RegistryCredentials> registry_credentials(const FetchSettings& settings,
                                                             const std::string& host) {
  std::optional<oci::RegistryCredentials> found;
  // Lowest precedence first: a later directory overrides an earlier one.
  for (const auto& dir : {settings.system_config, settings.local_config, settings.user_config}) {
    if (dir.empty()) continue;
    for (const auto& file : json_files(dir + "/auth.d")) {
      auto f = oci::parse_docker_auth_file(read_file(file), file);
      if (!f) continue;
      if (std::find(f->registries.begin(), f->registries.end(), oci::registry_host_of(host)) !=
          f->registries.end())
        found = f->credentials;
    }
  }
  if (found) return found;
  std::string cfg = settings.docker_config.empty() ? default_docker_config() : settings.docker_config;
  if (!settings.docker_config.empty() && !path_exists(cfg))
    throw Error("--docker-config " + cfg + " does not exist", ENOENT);
  if (cfg.empty() || !path_exists(cfg)) return std::nullopt;
  auto all = oci::parse_docker_config(read_file(cfg), cfg);
  auto it = all.find(oci::registry_host_of(host));
  if (it == all.end() && host == "docker.io") it = all.find("index.docker.io");
  if (it != all.end()) return it->second;
  return std::nullopt;
}

std::unique_ptr<OciSource> open_registry_source(const oci::DockerName& name,
                                                const FetchSettings& settings, const Logger& log,
                                                const std::string& scratch_dir) {
  return std::make_unique<RegistrySource>(name, settings, log, scratch_dir);
}

}  // namespace pod::fetch
