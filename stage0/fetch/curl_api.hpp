// libcurl, loaded with dlopen on first use instead of linked. Linking it made every
// `pod` command load the ~25 shared libraries curl depends on, and resolving their
// symbols was most of pod's start-up time (callgrind, an empty program linked like pod:
// 17.9 M instructions with libcurl, 8.2 M without), while only fetching needs curl.
#pragma once

#include <curl/curl.h>

namespace pod::fetch {

struct CurlApi {
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  CURLcode (*easy_perform)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_get)(const CURLU*, CURLUPart, char**, unsigned int);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
  const char* (*url_strerror)(CURLUcode);
  void (*free)(void*);
};

// The table, loaded once (thread-safe) and never changed afterwards. Throws Error naming
// the library or symbol when libcurl cannot be loaded.
[[nodiscard]] const CurlApi& curl_api();

}  // namespace pod::fetch
