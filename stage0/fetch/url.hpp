// The parts of a URL fetching needs (scheme, host, port), parsed by libcurl's URL
// API so pod and the transfer agree on what a URL means.
#pragma once

#include <string>
#include <string_view>

namespace pod::fetch {

struct UrlParts {
  std::string scheme;  // lower case: "https", "http", "file"
  std::string host;    // without brackets for IPv6
  long port = 0;       // the explicit port, or the scheme's default
  std::string path;    // decoded path ("/a/b.aci")
};

// Throws UsageError naming the text when it is not an absolute URL.
[[nodiscard]] UrlParts parse_url(std::string_view url);

// Whether text starts with "scheme://" (any scheme), i.e. is meant as a URL.
[[nodiscard]] bool looks_like_url(std::string_view text);

// The URL with ".asc" added to its path (before any query), where signatures live.
[[nodiscard]] std::string signature_url_of(std::string_view url);

}  // namespace pod::fetch
