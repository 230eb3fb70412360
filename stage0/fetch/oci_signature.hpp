// Simple-signing verification of OCI images: the lookaside store a sigstore.d entry of
// the local or system configuration names for the image's HOST/NAME prefix, the
// signatures NAME@sha256=HEX/signature-N found there, each checked with the keys
// `pod trust` trusts for the image (prefix = its appc-equivalent name, host ':' as '-'),
// its payload naming this image and this manifest digest.
//
//   sigstore.d/*.json: {"podKind": "sigstore", "podVersion": "v1",
//                       "prefix": "localhost:5000/team", "lookaside": "file:///srv/sigstore"}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "stage0/fetch/image_fetcher.hpp"

namespace pod::fetch {

struct SigstoreEntry {
  std::string prefix;     // registry host[:port] or HOST/REPOSITORY prefix
  std::string lookaside;  // file://, http:// or https:// base URL
  std::string source;     // the file
};

// Every sigstore.d entry, system first then local (local wins for the same prefix).
[[nodiscard]] std::vector<SigstoreEntry> load_sigstores(const FetchSettings& settings);
// The entry with the longest prefix covering `name` (HOST/REPOSITORY), at a '/' boundary.
[[nodiscard]] std::optional<SigstoreEntry> sigstore_for(const std::vector<SigstoreEntry>& all,
                                                        const std::string& name);

struct OciSignatureCheck {
  std::string fingerprint;
  std::string uid;
  std::string prefix;  // the trust prefix the key was trusted for
  std::string url;     // where the signature came from
};

// Throws Error (SignatureError for a key or signature problem) naming the reference,
// the digest and the store; returns the first signature that verifies.
[[nodiscard]] OciSignatureCheck verify_oci_signature(const FetchSettings& settings,
                                                     const Logger& log, const std::string& name,
                                                     const std::string& reference,
                                                     const std::string& manifest_digest);

}  // namespace pod::fetch
