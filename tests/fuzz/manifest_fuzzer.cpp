// Fuzzes the image and pod manifest parsers: any input either fails with a ValidationError
// or parses into a manifest that serialises and parses back to the same value. Any other
// exception escapes and libFuzzer reports it as a crash, as it does a failed round trip.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "aci/manifest.hpp"
#include "aci/validation_error.hpp"

namespace {

using pod::aci::ValidationError;

[[noreturn]] void round_trip_failed(const char* kind, const nlohmann::json& first, const nlohmann::json& second) {
  std::fprintf(stderr, "%s round trip changed the manifest:\nfirst:  %s\nsecond: %s\n", kind, first.dump().c_str(),
               second.dump().c_str());
  std::abort();
}

// The typed values a consumer reads must not throw once a manifest has been accepted.
void read_isolators(const std::vector<pod::aci::Isolator>& isolators) {
  for (const auto& iso : isolators) {
    if (const auto* r = std::get_if<pod::aci::ResourceIsolator>(&iso.parsed)) {
      if (r->request) (void)r->request->value();  // only checking that it does not throw
      if (r->limit) (void)r->limit->value();
    }
  }
}

template <class Manifest>
void check(std::string_view text, const char* kind) {
  Manifest first;
  try {
    first = Manifest::parse(text);
  } catch (const ValidationError&) {
    return;  // rejected with a message: what the parser is for
  }
  const std::string serialized = first.serialize();
  Manifest second;
  try {
    second = Manifest::parse(serialized);
  } catch (const ValidationError& e) {
    std::fprintf(stderr, "%s: serialised manifest does not parse: %s\n%s\n", kind, e.what(), serialized.c_str());
    std::abort();
  }
  if (first.to_json() != second.to_json()) round_trip_failed(kind, first.to_json(), second.to_json());
  if (second.serialize() != serialized) round_trip_failed(kind, first.to_json(), second.to_json());
  if constexpr (std::is_same_v<Manifest, pod::aci::ImageManifest>) {
    if (first.app) read_isolators(first.app->isolators);
  } else {
    read_isolators(first.isolators);
    for (const auto& app : first.apps)
      if (app.app) read_isolators(app.app->isolators);
  }
}

// Short non-JSON inputs also exercise the command-line syntaxes parsed in aci/.
void check_flags(std::string_view text) {
  try {
    auto ref = pod::aci::parse_image_reference(text);
    auto again = pod::aci::parse_image_reference(pod::aci::format_image_reference(ref));
    if (again.name != ref.name || !(again.labels == ref.labels)) {
      std::fprintf(stderr, "image reference round trip changed \"%.*s\"\n", static_cast<int>(text.size()),
                   text.data());
      std::abort();
    }
  } catch (const ValidationError&) {
  }
  try {
    (void)pod::aci::Volume::parse_flag(text);
  } catch (const pod::UsageError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check<pod::aci::ImageManifest>(text, "image manifest");
  check<pod::aci::PodManifest>(text, "pod manifest");
  if (size < 256 && text.find('{') == std::string_view::npos) check_flags(text);
  return 0;
}
