// The appc-equivalent manifest of an OCI image: its configuration mapped to the same app
// description an ACI carries, so stage1 and stage2 need no OCI knowledge. Internal to
// stage0/store. Names the image's command and users need are resolved against the union
// of its layers (top layer first, whiteouts and opaque directories honoured).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aci/manifest.hpp"
#include "common/log.hpp"
#include "oci/config.hpp"

namespace pod::store {

// Annotations pod writes into the appc-equivalent manifest of an OCI image.
inline constexpr const char* kAnnoOciConfigDigest = "pod.oci/config-digest";
inline constexpr const char* kAnnoOciManifestDigest = "pod.oci/manifest-digest";
inline constexpr const char* kAnnoOciReference = "pod.oci/reference";
// How many leading exec elements are the Entrypoint: "-- args" replace the rest (Cmd).
inline constexpr const char* kAnnoOciEntrypointLength = "pod.oci/entrypoint-length";
inline constexpr const char* kAnnoOciStopSignal = "pod.oci/stop-signal";

// A read-only view of layer trees stacked as overlayfs would (top first).
class LayerUnion {
 public:
  explicit LayerUnion(std::vector<std::string> top_first) : layers_(std::move(top_first)) {}
  // The host path of `path` (absolute in the image) in the topmost layer holding it,
  // symlinks on the way resolved inside the image; nullopt when absent or whited out.
  [[nodiscard]] std::optional<std::string> find(const std::string& path, bool follow_last) const;
  // `path` with every symlink on the way resolved inside the image, relative to the
  // image's root ("" for the root); nullopt when absent or whited out.
  [[nodiscard]] std::optional<std::string> resolve(const std::string& path) const;
  [[nodiscard]] std::string read_or_empty(const std::string& path) const;

 private:
  std::optional<std::string> find_plain(const std::string& rel) const;
  struct Found {
    std::string host;  // path on the host, in the topmost layer holding it
    std::string rel;   // path in the image, symlinks resolved, relative to its root
  };
  std::optional<Found> walk(const std::string& path, bool follow_last) const;
  std::vector<std::string> layers_;
};

struct OciAppInput {
  std::string appc_name;
  std::string tag;
  std::string reference;
  std::string config_digest;
  std::string manifest_digest;
};

[[nodiscard]] aci::ImageManifest appc_manifest_for(const oci::ImageConfig& config,
                                                   const OciAppInput& in, const LayerUnion& fs,
                                                   const Logger& log);

}  // namespace pod::store
