#include "stage0/fetch/url.hpp"

#include <curl/curl.h>

#include "stage0/fetch/curl_api.hpp"

#include <cctype>
#include <memory>

#include "common/error.hpp"

namespace pod::fetch {

namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_api().url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const noexcept { curl_api().free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

std::string part(CURLU* u, CURLUPart what, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_api().url_get(u, what, &raw, flags) != CURLUE_OK) return {};
  CurlString owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

}  // namespace

UrlParts parse_url(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_api().url());
  if (!u) throw Error("out of memory parsing URL " + std::string(url), ENOMEM);
  std::string text(url);
  CURLUcode rc = curl_api().url_set(u.get(), CURLUPART_URL, text.c_str(), 0);
  if (rc != CURLUE_OK)
    throw UsageError("\"" + text + "\" is not a valid URL: " + curl_api().url_strerror(rc));
  UrlParts out;
  out.scheme = part(u.get(), CURLUPART_SCHEME);
  for (auto& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out.host = part(u.get(), CURLUPART_HOST);
  for (auto& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  std::string port = part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  out.port = port.empty() ? 0 : std::stol(port);
  out.path = part(u.get(), CURLUPART_PATH, CURLU_URLDECODE);
  return out;
}

bool looks_like_url(std::string_view text) {
  size_t colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return true;
}

std::string signature_url_of(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  if (cut == std::string_view::npos) return std::string(url) + ".asc";
  return std::string(url.substr(0, cut)) + ".asc" + std::string(url.substr(cut));
}

}  // namespace pod::fetch
