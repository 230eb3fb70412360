#include "stage0/fetch/curl_api.hpp"

#include <dlfcn.h>

#include "common/error.hpp"

namespace pod::fetch {

namespace {

// The SONAME libcurl4-openssl-dev links against; the gnutls flavour has another name.
constexpr const char* kLibcurl = "libcurl.so.4";

template <class Fn>
void bind(void* lib, Fn& slot, const char* name) {
  void* sym = ::dlsym(lib, name);
  if (!sym) {
    Error e(std::string("loading ") + kLibcurl + ": symbol " + name + " is missing");
    e.set_hint("install Debian's libcurl4 package (scripts/install-deps.sh does)");
    throw e;
  }
  slot = reinterpret_cast<Fn>(sym);
}

CurlApi load() {
  // Never dlclose'd: the table must stay valid for the process's life.
  void* lib = ::dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    Error e(std::string("loading ") + kLibcurl + ": " + (why ? why : "unknown error"));
    e.set_hint("install Debian's libcurl4 package (scripts/install-deps.sh does)");
    throw e;
  }
  CurlApi api{};
  bind(lib, api.easy_init, "curl_easy_init");
  bind(lib, api.easy_cleanup, "curl_easy_cleanup");
  bind(lib, api.easy_setopt, "curl_easy_setopt");
  bind(lib, api.easy_getinfo, "curl_easy_getinfo");
  bind(lib, api.easy_perform, "curl_easy_perform");
  bind(lib, api.easy_strerror, "curl_easy_strerror");
  bind(lib, api.slist_append, "curl_slist_append");
  bind(lib, api.slist_free_all, "curl_slist_free_all");
  bind(lib, api.url, "curl_url");
  bind(lib, api.url_cleanup, "curl_url_cleanup");
  bind(lib, api.url_get, "curl_url_get");
  bind(lib, api.url_set, "curl_url_set");
  bind(lib, api.url_strerror, "curl_url_strerror");
  bind(lib, api.free, "curl_free");
  return api;
}

}  // namespace

const CurlApi& curl_api() {
  static const CurlApi api = load();  // initialised once, read-only afterwards
  return api;
}

}  // namespace pod::fetch
