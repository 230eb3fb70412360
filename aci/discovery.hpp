// appc meta discovery (spec/discovery.md) as pure logic: which pages to ask, what their
// <meta> tags say, and which URLs the templates render to. No I/O happens here; the
// fetcher in stage0/fetch does the HTTP and hands the pages to these functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::aci {

// One <meta name="ac-discovery" content="PREFIX TEMPLATE"> or
// <meta name="ac-discovery-pubkeys" content="PREFIX URL">.
struct DiscoveryTag {
  std::string prefix;  // the prefix-match: applies to names equal to it or below it
  std::string url;     // a URL template (ac-discovery) or a plain URL (ac-discovery-pubkeys)
  friend bool operator==(const DiscoveryTag&, const DiscoveryTag&) = default;
};

struct DiscoveryPage {
  std::vector<DiscoveryTag> templates;  // ac-discovery, in page order
  std::vector<DiscoveryTag> pubkeys;    // ac-discovery-pubkeys, in page order
};

// Reads every <meta> tag of an HTML page (attribute order, quoting and case do not
// matter; tags in comments are ignored). Malformed content values are skipped, since
// a page may carry tags meant for other tools.
[[nodiscard]] DiscoveryPage parse_discovery_page(std::string_view html);

// True when a tag's prefix-match covers `name`: equal, or a path prefix of it
// ("example.com" covers "example.com/app" but not "example.community/app").
[[nodiscard]] bool prefix_matches(std::string_view prefix, std::string_view name);

// The names whose pages are asked, most specific first:
// "example.com/project/app" -> {"example.com/project/app", "example.com/project", "example.com"}.
[[nodiscard]] std::vector<std::string> discovery_candidates(std::string_view name);

// "https://example.com/app?ac-discovery=1" (http:// when `insecure_http`).
[[nodiscard]] std::string discovery_url(std::string_view candidate, bool insecure_http);

// The values a template may use: {name}, {ext} and one per label ({version}, {os}, {arch}, ...).
using TemplateValues = std::map<std::string, std::string, std::less<>>;

struct RenderedTemplate {
  std::string url;
  int labels_used = 0;  // how many label variables were substituted ({name} and {ext} not counted)
};

// Substitutes every {var}; nullopt when the template uses a variable with no value.
// `ext` is "aci" for the image and "aci.asc" for its signature.
[[nodiscard]] std::optional<RenderedTemplate> render_template(std::string_view tmpl,
                                                              std::string_view name,
                                                              const TemplateValues& labels,
                                                              std::string_view ext);

// Where an image and its signature can be fetched from.
struct ImageEndpoint {
  std::string aci_url;
  std::string signature_url;
  friend bool operator==(const ImageEndpoint&, const ImageEndpoint&) = default;
};

// The best matching templates of a page for `name` and `labels` (spec: every variable
// substituted, and among those the ones using the most labels), in page order.
// Only http(s) URLs are returned since those are the only ones pod can fetch.
[[nodiscard]] std::vector<ImageEndpoint> best_endpoints(const DiscoveryPage& page,
                                                        std::string_view name,
                                                        const TemplateValues& labels);

// The pubkeys URLs of a page whose prefix-match covers `name`.
[[nodiscard]] std::vector<std::string> matching_pubkeys(const DiscoveryPage& page,
                                                        std::string_view name);

}  // namespace pod::aci
