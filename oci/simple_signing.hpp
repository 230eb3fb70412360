// "Simple signing" payloads (containers/image docs/containers-signature.5.md): the JSON
// document a GPG signature of a container image covers, naming the image by its Docker
// reference and its manifest digest:
//   {"critical": {"type": "atomic container signature",
//                 "image": {"docker-manifest-digest": "sha256:..."},
//                 "identity": {"docker-reference": "host/name:tag"}},
//    "optional": {"creator": "...", "timestamp": 1700000000}}
// Also where such signatures live in a lookaside store: BASE/NAME@sha256=HEX/signature-N.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pod::oci {

inline constexpr std::string_view kSignatureType = "atomic container signature";

struct SignaturePayload {
  std::string docker_reference;
  std::string manifest_digest;
  std::string creator;
  int64_t timestamp = 0;
};

// Parses and checks the shape strictly (unknown critical members refused, as the format
// requires). Throws Error saying what is wrong.
[[nodiscard]] SignaturePayload parse_signature_payload(std::string_view json_text);
[[nodiscard]] std::string make_signature_payload(const SignaturePayload& p);

// Whether a signature naming `signed_reference` covers an image fetched as `wanted`
// (both Docker references): the same repository, and the same tag when fetched by tag
// (fetched by digest, the manifest digest the signature names is what must match).
[[nodiscard]] bool reference_matches(std::string_view signed_reference, std::string_view wanted);

// BASE/REPOSITORY@sha256=HEX/signature-N (N from 1), as containers/image lays it out.
[[nodiscard]] std::string lookaside_url(std::string_view base, std::string_view repository,
                                        std::string_view manifest_digest, int n);

}  // namespace pod::oci
