// OCI image layouts on disk (image-spec image-layout.md): "oci-layout", "index.json"
// and content-addressed "blobs/<alg>/<hex>", as `skopeo copy ... oci:DIR:REF` writes them.
#pragma once

#include <string>

#include "oci/manifest.hpp"

namespace pod::oci {

inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

struct LayoutImage {
  Descriptor manifest;  // from index.json (may itself be an index)
  std::string ref;      // its org.opencontainers.image.ref.name, if any
};

// Reads DIR/oci-layout and DIR/index.json and picks the image named `ref` (the ref.name
// annotation), or the layout's only image when `ref` is empty. Throws Error naming the
// directory, listing the refs there are when the choice fails.
[[nodiscard]] LayoutImage find_layout_image(const std::string& dir, const std::string& ref);

// DIR/blobs/<alg>/<hex> for a validated digest.
[[nodiscard]] std::string layout_blob_path(const std::string& dir, const std::string& digest);

}  // namespace pod::oci
