#include "stage0/fetch/discoverer.hpp"

#include "aci/discovery.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::fetch {

Discovered discover(HttpClient& http, const Logger& log, const std::string& name,
                    const std::vector<std::pair<std::string, std::string>>& labels,
                    DiscoveryGoal goal, bool try_http) {
  aci::TemplateValues values;
  for (const auto& [k, v] : labels) values[k] = v;
  Discovered out;
  std::vector<std::string> asked;
  for (const auto& candidate : aci::discovery_candidates(name)) {
    std::vector<bool> schemes = {false};
    if (try_http) schemes.push_back(true);
    for (bool http_scheme : schemes) {
      std::string url = aci::discovery_url(candidate, http_scheme);
      asked.push_back(url);
      std::string text;
      bool last_scheme = http_scheme || !try_http;
      bool answered = true;
      try {
        text = http.get_text(url, "the discovery page of " + name, 1 << 20);
      } catch (const HttpStatusError& e) {
        // The spec: a 4xx means ask the parent (after plain http, when that is allowed).
        if (e.status() < 400 || e.status() >= 500) throw;
        log.debug(std::string("discovery: ") + e.what());
        answered = false;
      } catch (const Error& e) {
        if (last_scheme) throw;
        log.debug(std::string("discovery over https failed, trying http: ") + e.what());
        continue;
      }
      if (!answered) {
        if (last_scheme) break;
        continue;
      }
      aci::DiscoveryPage page = aci::parse_discovery_page(text);
      for (auto& k : aci::matching_pubkeys(page, name)) out.pubkeys.push_back(std::move(k));
      if (goal == DiscoveryGoal::image) {
        auto endpoints = aci::best_endpoints(page, name, values);
        if (!endpoints.empty()) {
          out.aci_url = endpoints.front().aci_url;
          out.signature_url = endpoints.front().signature_url;
          log.debug("discovery: " + name + " is at " + out.aci_url + " (from " + url + ")");
          return out;
        }
      } else if (!out.pubkeys.empty()) {
        return out;
      }
      break;  // this page answered without what we need: its parent may have it
    }
  }
  bool image = goal == DiscoveryGoal::image;
  throw Error("meta discovery found no " + std::string(image ? "image" : "public keys") +
                  " for " + name + " (asked " + join(asked, ", ") + ")",
              0,
              image ? "the pages must carry <meta name=\"ac-discovery\" content=\"PREFIX "
                      "TEMPLATE\"> covering the name, with a template whose variables the "
                      "labels fill; or fetch the image by URL or file"
                    : "the pages must carry <meta name=\"ac-discovery-pubkeys\" content=\"PREFIX "
                      "URL\">; or give pod trust the key file or its URL");
}

}  // namespace pod::fetch
