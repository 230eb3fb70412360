// Image manifests and indexes: the OCI image manifest and index, Docker's schema 2
// manifest and manifest list (the same shapes under other media types), with the
// platform choice an index needs. Docker schema 1 is refused, with a message saying so.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pod::oci {

namespace media {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
// What a registry client accepts, for the Accept header.
inline constexpr std::string_view kAccept =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";
}  // namespace media

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  [[nodiscard]] std::string str() const;  // "linux/arm64/v8"
};

struct Descriptor {
  std::string media_type;
  std::string digest;  // validated "sha256:..."
  uint64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  bool has_platform = false;
  Platform platform;
};

enum class LayerCompression { none, gzip, zstd };

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
};

// What a manifest document turned out to be.
struct ParsedManifest {
  bool is_index = false;
  Manifest manifest;  // when !is_index
  Index index;        // when is_index
};

// Refuses documents larger than this (registries cap manifests at 4 MiB).
inline constexpr size_t kMaxManifestSize = 4 << 20;
// More layers than any real image has; bounds the work a hostile manifest can ask for.
inline constexpr size_t kMaxLayers = 500;

// Parses a manifest or index. `content_type` is the registry's Content-Type (may be
// empty: the document's mediaType, or its shape, decides). Throws Error naming `what`.
[[nodiscard]] ParsedManifest parse_manifest(std::string_view text, std::string_view content_type,
                                            const std::string& what);

// Layer media types pod can unpack; throws naming the type otherwise.
[[nodiscard]] LayerCompression layer_compression(const Descriptor& layer);

// The platform of the machine pod runs on, in OCI terms (linux/amd64, linux/arm64/v8...).
[[nodiscard]] Platform host_platform();

// The entry of `index` for `want` (os and architecture equal; variant equal when both
// have one). Throws Error listing the platforms the index has when none matches.
[[nodiscard]] const Descriptor& select_platform(const Index& index, const Platform& want,
                                                const std::string& what);

}  // namespace pod::oci
