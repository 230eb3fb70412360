// Fuzzes the meta discovery page parser and template rendering (aci/discovery.hpp), which
// read HTML from any server a name points to: no input may crash them, every tag found
// must be two non-empty whitespace-free fields, and every endpoint chosen must be an
// http(s) URL whose signature URL differs from the image URL.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "aci/discovery.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_tag(const pod::aci::DiscoveryTag& t) {
  for (std::string_view field : {std::string_view(t.prefix), std::string_view(t.url)}) {
    if (field.empty()) fail("empty field in a tag", t.url);
    if (field.find_first_of(" \t\r\n\f") != std::string_view::npos) fail("whitespace in a tag field", field);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  auto page = pod::aci::parse_discovery_page(html);
  for (const auto& t : page.templates) check_tag(t);
  for (const auto& t : page.pubkeys) check_tag(t);
  const pod::aci::TemplateValues labels{{"version", "1.0"}, {"os", "linux"}, {"arch", "amd64"}};
  for (const auto& t : page.templates) {
    for (const auto& name : pod::aci::discovery_candidates(t.prefix + "/app")) {
      for (const auto& ep : pod::aci::best_endpoints(page, name, labels)) {
        if (!ep.aci_url.starts_with("http://") && !ep.aci_url.starts_with("https://"))
          fail("endpoint is not http(s)", ep.aci_url);
        if (ep.aci_url == ep.signature_url) fail("image and signature URLs are the same", ep.aci_url);
      }
      (void)pod::aci::matching_pubkeys(page, name);  // must not throw or crash
    }
  }
  return 0;
}
