#include "stage0/fetch/http_client.hpp"

#include <curl/curl.h>

#include "stage0/fetch/curl_api.hpp"
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <thread>

#include "common/fd.hpp"
#include "common/strings.hpp"
#include "stage0/fetch/progress_bar.hpp"
#include "stage0/fetch/url.hpp"
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

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Failures worth another attempt: the server was unreachable for a moment, the
// connection broke, or it was too slow.
bool is_transient_curl(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string hint_for_curl(CURLcode rc, const UrlParts& u) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
      return "the server's TLS certificate could not be verified: point $SSL_CERT_FILE at the CA "
             "bundle that signed it, or (unsafe) pass --insecure-options=tls";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "check the host name \"" + u.host + "\" and the network";
    case CURLE_COULDNT_CONNECT:
      return "is a server listening on " + u.host + " port " + std::to_string(u.port) + "?";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "pod fetches https:// (and http:// with --insecure-options=http) only";
    default:
      return {};
  }
}

struct HeaderState {
  long status = 0;  // of the response being received
  std::string etag;
  std::string cache_control;
};

// "HTTP/1.1 206 Partial Content" -> 206.
long status_of_line(std::string_view line) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return 0;
  long v = 0;
  for (size_t i = sp + 1; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i)
    v = v * 10 + (line[i] - '0');
  return v;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<HeaderState*>(user);
  std::string_view line(data, size * n);
  if (starts_with(line, "HTTP/")) {  // a new response (after a redirect): forget the last
    *st = HeaderState{};
    st->status = status_of_line(line);
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name = lower(trim(line.substr(0, colon)));
  std::string value(trim(line.substr(colon + 1)));
  if (name == "etag") st->etag = value;
  if (name == "cache-control") st->cache_control = value;
  return size * n;
}

}  // namespace

struct HttpClient::Sink {
  bool head_only = false;   // HEAD: no body at all
  int fd = -1;              // the body goes here when >= 0
  // A download resumed after a broken connection asks for the bytes from here on; the
  // server may answer 206 (append) or send the whole body again (200: start over).
  uint64_t resume_from = 0;
  bool body_started = false;
  const HeaderState* headers = nullptr;
  std::string text;         // ... or here
  size_t max_bytes = 0;     // for text
  bool too_large = false;
  std::optional<Error> write_error;
  uint64_t written = 0;

  void reset() {
    text.clear();
    written = 0;
    resume_from = 0;
    body_started = false;
    too_large = false;
    write_error.reset();
    if (fd >= 0) {
      if (::ftruncate(fd, 0) != 0) throw_errno("truncating the download file");
      if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seeking in the download file");
    }
  }

  static size_t on_data(char* data, size_t size, size_t n, void* user) {
    auto* s = static_cast<Sink*>(user);
    size_t len = size * n;
    if (s->fd >= 0) {
      try {
        if (!s->body_started && s->resume_from > 0 && s->headers && s->headers->status != 206) {
          // The server sent the whole body instead of the rest: start the file over.
          if (::ftruncate(s->fd, 0) != 0) throw_errno("truncating the download file");
          if (::lseek(s->fd, 0, SEEK_SET) < 0) throw_errno("seeking in the download file");
          s->written = 0;
        }
        s->body_started = true;
        write_all(s->fd, std::string_view(data, len), "the download file");
      } catch (const Error& e) {
        s->write_error = e;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
      }
    } else {
      if (s->text.size() + len > s->max_bytes) {
        s->too_large = true;
        return 0;
      }
      s->text.append(data, len);
    }
    s->written += len;
    return len;
  }
};

std::string HttpSettings::ca_bundle_from_env() {
  for (const char* var : {"SSL_CERT_FILE", "CURL_CA_BUNDLE"}) {
    const char* v = std::getenv(var);
    if (v && *v) return v;
  }
  return {};
}

int64_t parse_max_age(std::string_view cache_control) {
  int64_t max_age = 0;
  for (const auto& raw : split(cache_control, ',')) {
    std::string d = lower(trim(raw));
    if (d == "no-cache" || d == "no-store") return 0;
    if (starts_with(d, "max-age=")) {
      std::string v = d.substr(8);
      if (!v.empty() && v.front() == '"' && v.back() == '"' && v.size() >= 2)
        v = v.substr(1, v.size() - 2);
      if (v.empty() || !std::all_of(v.begin(), v.end(), ::isdigit)) continue;
      max_age = v.size() > 12 ? 0 : std::stoll(v);
    }
  }
  return max_age;
}

HttpClient::HttpClient(HttpSettings settings, Logger log)
    : settings_(std::move(settings)), log_(log) {}

HttpResult HttpClient::download(const std::string& url, int fd, const std::string& what,
                                const std::string& if_none_match) {
  Sink sink;
  sink.fd = fd;
  return perform(url, sink, what, if_none_match);
}

std::string HttpClient::get_text(const std::string& url, const std::string& what,
                                 size_t max_bytes, HttpResult* result) {
  Sink sink;
  sink.max_bytes = max_bytes;
  HttpResult r = perform(url, sink, what, {});
  if (result) *result = r;
  return std::move(sink.text);
}

HttpResult HttpClient::head(const std::string& url, const std::string& what) {
  Sink sink;
  sink.head_only = true;
  return perform(url, sink, what, {});
}

HttpResult HttpClient::perform(const std::string& url, Sink& sink, const std::string& what,
                               const std::string& if_none_match) {
  return with_context("fetching " + what + " from " + url, [&] {
    UrlParts u = parse_url(url);
    if (u.scheme == "http" && !settings_.allow_http)
      throw Error("refusing plain http (not encrypted, not authenticated)", 0,
                  "use an https:// URL, or pass --insecure-options=http to allow http");
    if (u.scheme != "http" && u.scheme != "https")
      throw UsageError("unsupported URL scheme \"" + u.scheme + "\"", 0,
                       "pod fetches https:// (and http:// with --insecure-options=http) URLs");

    CurlEasy easy(curl_api().easy_init());
    if (!easy) throw Error("cannot initialise libcurl", ENOMEM);
    CURL* c = easy.get();
    std::string protocols = settings_.allow_http ? "http,https" : "https";
    std::string agent = std::string("pod/") + kPodVersion;
    HeaderState headers;
    char errbuf[CURL_ERROR_SIZE] = {};
    (void)curl_api().easy_setopt(c, CURLOPT_URL, url.c_str());
    (void)curl_api().easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols.c_str());
    (void)curl_api().easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols.c_str());
    (void)curl_api().easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // the spec says follow redirects
    (void)curl_api().easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    (void)curl_api().easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
    (void)curl_api().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    (void)curl_api().easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    (void)curl_api().easy_setopt(c, CURLOPT_CONNECTTIMEOUT, settings_.connect_timeout_seconds);
    (void)curl_api().easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    (void)curl_api().easy_setopt(c, CURLOPT_LOW_SPEED_TIME, settings_.stall_timeout_seconds);
    (void)curl_api().easy_setopt(c, CURLOPT_WRITEFUNCTION, &Sink::on_data);
    (void)curl_api().easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    (void)curl_api().easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
    (void)curl_api().easy_setopt(c, CURLOPT_HEADERDATA, &headers);
    if (sink.head_only) (void)curl_api().easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (settings_.skip_tls_verify) {
      (void)curl_api().easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
      (void)curl_api().easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!settings_.ca_bundle.empty()) {
      (void)curl_api().easy_setopt(c, CURLOPT_CAINFO, settings_.ca_bundle.c_str());
    }
    const Credentials* creds = settings_.auth.find(u.host, u.port);
    if (creds) {
      // curl sends these to the URL's own host only, never to a host it is redirected to.
      if (creds->type == Credentials::Type::basic) {
        (void)curl_api().easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        (void)curl_api().easy_setopt(c, CURLOPT_USERNAME, creds->user.c_str());
        (void)curl_api().easy_setopt(c, CURLOPT_PASSWORD, creds->password.c_str());
      } else {
        (void)curl_api().easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
        (void)curl_api().easy_setopt(c, CURLOPT_XOAUTH2_BEARER, creds->token.c_str());
      }
      log_.debug("using credentials from " + creds->source + " for " + u.host);
    }
    sink.headers = &headers;
    CurlSlist header_list;
    // The request headers of one attempt: If-None-Match for a conditional request, and
    // If-Range with the ETag when a broken download resumes (a changed image is then
    // sent whole instead of being spliced onto the old part).
    auto set_headers = [&](const std::string& if_range) {
      curl_slist* list = nullptr;
      for (const std::string& h : {if_none_match.empty() ? "" : "If-None-Match: " + if_none_match,
                                   if_range.empty() ? "" : "If-Range: " + if_range}) {
        if (h.empty()) continue;
        curl_slist* grown = curl_api().slist_append(list, h.c_str());
        if (!grown) {
          curl_api().slist_free_all(list);
          throw Error("out of memory building request headers", ENOMEM);
        }
        list = grown;
      }
      header_list.reset(list);
      (void)curl_api().easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
    };
    set_headers({});
    ProgressBar bar("Downloading " + what, settings_.progress && sink.fd >= 0);
    auto progress = [](void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
      static_cast<ProgressBar*>(user)->update(static_cast<uint64_t>(now),
                                              static_cast<uint64_t>(total));
      return 0;
    };
    if (sink.fd >= 0) {
      (void)curl_api().easy_setopt(c, CURLOPT_XFERINFOFUNCTION,
                             static_cast<curl_xferinfo_callback>(progress));
      (void)curl_api().easy_setopt(c, CURLOPT_XFERINFODATA, &bar);
      (void)curl_api().easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }

    auto waits = settings_.retry.schedule();
    sink.reset();
    for (size_t attempt = 0;; ++attempt) {
      errbuf[0] = '\0';
      CURLcode rc = curl_api().easy_perform(c);
      long status = 0;
      (void)curl_api().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      bool last = attempt >= waits.size();
      std::string tries = attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : "";
      if (rc != CURLE_OK) {
        if (sink.write_error) throw *sink.write_error;
        if (sink.too_large)
          throw Error("the answer is larger than " + human_size(sink.max_bytes) +
                      ", too large for " + what);
        std::string msg = errbuf[0] ? errbuf : curl_api().easy_strerror(rc);
        if (is_transient_curl(rc) && !last) {
          // A strong ETag lets the next attempt ask for the rest instead of everything.
          bool resumable = sink.fd >= 0 && sink.written > 0 && !headers.etag.empty() &&
                           !starts_with(headers.etag, "W/") &&
                           (headers.status == 200 || headers.status == 206);
          std::string etag = headers.etag;
          uint64_t have = sink.written;
          if (resumable) {  // keep the bytes received; the next ones are appended
            if (::lseek(sink.fd, 0, SEEK_END) < 0) throw_errno("seeking in the download file");
            sink.resume_from = have;
            sink.body_started = false;
          } else {
            sink.reset();
          }
          (void)curl_api().easy_setopt(c, CURLOPT_RESUME_FROM_LARGE,
                                 static_cast<curl_off_t>(sink.resume_from));
          set_headers(resumable ? etag : std::string());
          log_.warn("fetching " + what + ": " + msg + "; retrying in " +
                    std::to_string(waits[attempt].count()) + " ms" +
                    (resumable ? " (resuming after " + human_size(have) + ")" : ""));
          std::this_thread::sleep_for(waits[attempt]);
          continue;
        }
        throw Error(msg + tries, 0, hint_for_curl(rc, u));
      }
      if (is_transient_status(status) && !last) {
        sink.reset();
        (void)curl_api().easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(0));
        set_headers({});
        log_.warn("fetching " + what + ": server answered " + std::to_string(status) +
                  "; retrying in " + std::to_string(waits[attempt].count()) + " ms");
        std::this_thread::sleep_for(waits[attempt]);
        continue;
      }
      bar.finish();
      HttpResult r;
      r.status = status;
      r.etag = headers.etag;
      r.max_age = parse_max_age(headers.cache_control);
      r.bytes = sink.written;
      char* eff = nullptr;
      if (curl_api().easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        r.effective_url = eff;
      if (status == 304 && !if_none_match.empty()) return r;
      if (status >= 200 && status < 300) return r;
      if (status == 401 || status == 403) {
        std::string hint = creds ? "the credentials from " + creds->source + " were refused" :
                                   "add credentials for " + u.host +
                                       " in auth.d/ of the local or user configuration "
                                       "(see Documentation/configuration.md)";
        throw HttpStatusError(status, "the server answered " + std::to_string(status) +
                                          (status == 401 ? " Unauthorized" : " Forbidden"),
                              hint);
      }
      if (status == 404 || status == 410)
        throw HttpStatusError(status, "not found (HTTP " + std::to_string(status) + ")");
      throw HttpStatusError(status, "the server answered HTTP " + std::to_string(status) + tries);
    }
  });
}

}  // namespace pod::fetch
