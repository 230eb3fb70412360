// Fuzzes what pod reads from registries and image files before anything is verified
// (oci/): manifests and indexes, image configurations, references, signature payloads,
// WWW-Authenticate challenges and Docker config files. No input may crash them; anything
// they accept must be consistent: digests valid, a manifest's layers within the limit, a
// parsed Docker name printing back to a reference that parses to the same name.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "oci/auth.hpp"
#include "oci/config.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "oci/reference.hpp"
#include "oci/simple_signing.hpp"
#include "oci/whiteout.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

template <class F>
void tolerate_errors(F&& f) {
  try {
    f();
  } catch (const pod::Error&) {
    // refusing bad input with an Error is the expected outcome
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace pod::oci;
  tolerate_errors([&] {
    ParsedManifest p = parse_manifest(in, "", "fuzz");
    if (p.is_index) {
      for (const auto& d : p.index.manifests)
        if (!is_digest(d.digest)) fail("index entry with a bad digest", d.digest);
      tolerate_errors([&] { (void)select_platform(p.index, host_platform(), "fuzz"); });
    } else {
      if (p.manifest.layers.size() > kMaxLayers) fail("too many layers accepted", in);
      if (!is_digest(p.manifest.config.digest)) fail("config with a bad digest", p.manifest.config.digest);
      for (const auto& l : p.manifest.layers) tolerate_errors([&] { (void)layer_compression(l); });
    }
  });
  tolerate_errors([&] {
    ImageConfig c = parse_config(in, "fuzz");
    for (const auto& d : c.diff_ids)
      if (!is_digest(d)) fail("diff_id with a bad digest", d);
  });
  tolerate_errors([&] {
    Reference r = parse_reference(in);
    if (r.transport == Transport::docker) {
      DockerName again = parse_docker_name(r.docker.reference());
      if (again.name() != r.docker.name()) fail("reference does not round-trip", in);
    }
  });
  tolerate_errors([&] {
    SignaturePayload p = parse_signature_payload(in);
    if (!is_digest(p.manifest_digest)) fail("payload with a bad digest", p.manifest_digest);
    (void)reference_matches(p.docker_reference, "localhost:5000/a:1");
  });
  tolerate_errors([&] { (void)parse_challenge(in); });
  tolerate_errors([&] { (void)parse_docker_config(in, "fuzz"); });
  tolerate_errors([&] { (void)parse_docker_auth_file(in, "fuzz"); });
  tolerate_errors([&] {
    EntryClass e = classify_entry(in);
    if (e.kind == EntryKind::whiteout && (e.target.empty() || e.target.find('/') != std::string::npos))
      fail("whiteout naming no single file", in);
  });
  (void)appc_name_for(in);
  return 0;
}
