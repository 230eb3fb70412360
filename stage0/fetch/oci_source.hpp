// Where an OCI image's manifest and blobs come from: an OCI layout directory, a
// `docker save` archive or a registry. The fetcher checks every digest and size itself,
// so a source only hands out bytes.
#pragma once

#include <string>

#include "common/fd.hpp"
#include "oci/manifest.hpp"

namespace pod::fetch {

struct FetchedManifest {
  std::string text;
  std::string content_type;  // may be empty
};

class OciSource {
 public:
  virtual ~OciSource() = default;
  // The manifest or index the reference names.
  [[nodiscard]] virtual FetchedManifest top_manifest() = 0;
  // A manifest by digest (an index entry).
  [[nodiscard]] virtual FetchedManifest manifest(const oci::Descriptor& d) = 0;
  // A small blob (the configuration) in memory, at most d.size + 1 bytes read.
  [[nodiscard]] virtual std::string small_blob(const oci::Descriptor& d) = 0;
  // A layer blob as a readable fd at offset 0 (a file, or a finished download).
  [[nodiscard]] virtual UniqueFd blob(const oci::Descriptor& d) = 0;
  // The source as the user wrote it, for messages.
  [[nodiscard]] virtual std::string describe() const = 0;
  // "NAME:TAG" the source itself gives the image (a docker archive's RepoTags), or "".
  [[nodiscard]] virtual std::string own_tag() const { return {}; }
};

}  // namespace pod::fetch
