#include "oci/manifest.hpp"

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "oci/digest.hpp"

namespace pod::oci {

namespace {

using json = nlohmann::json;

std::string str_field(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return {};
  if (!j[key].is_string()) throw Error(where + ": \"" + key + "\" must be a string");
  return j[key].get<std::string>();
}

std::map<std::string, std::string> string_map(const json& j, const char* key,
                                              const std::string& where) {
  std::map<std::string, std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_object()) throw Error(where + ": \"" + key + "\" must be an object");
  for (const auto& [k, v] : j[key].items()) {
    if (!v.is_string()) throw Error(where + ": \"" + key + "." + k + "\" must be a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Descriptor descriptor(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + " must be an object");
  Descriptor d;
  d.media_type = str_field(j, "mediaType", where);
  d.digest = parse_digest(str_field(j, "digest", where), where + " digest").str();
  if (!j.contains("size") || !j["size"].is_number_unsigned())
    throw Error(where + ": \"size\" must be a non-negative integer");
  d.size = j["size"].get<uint64_t>();
  if (j.contains("urls") && j["urls"].is_array())
    for (const auto& u : j["urls"])
      if (u.is_string()) d.urls.push_back(u.get<std::string>());
  d.annotations = string_map(j, "annotations", where);
  if (j.contains("platform") && j["platform"].is_object()) {
    const json& p = j["platform"];
    d.has_platform = true;
    d.platform.os = str_field(p, "os", where + " platform");
    d.platform.architecture = str_field(p, "architecture", where + " platform");
    d.platform.variant = str_field(p, "variant", where + " platform");
  }
  return d;
}

[[noreturn]] void schema1(const std::string& what) {
  throw Error(what + " is a Docker schema 1 manifest, which pod does not run", 0,
              "schema 1 is deprecated and unsigned by design; push the image again with a "
              "current Docker, podman or skopeo (they write schema 2 or OCI manifests)");
}

}  // namespace

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

ParsedManifest parse_manifest(std::string_view text, std::string_view content_type,
                              const std::string& what) {
  return with_context("reading the manifest of " + what, [&] {
    if (text.size() > kMaxManifestSize)
      throw Error("the manifest is " + std::to_string(text.size()) + " bytes, more than the " +
                  std::to_string(kMaxManifestSize) + " allowed");
    std::string ct(trim(content_type.substr(0, content_type.find(';'))));
    if (ct == media::kDockerSchema1 || ct == media::kDockerSchema1Signed) schema1(what);
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error("the manifest is not a JSON object");
    if (j.contains("schemaVersion") && j["schemaVersion"] == 1) schema1(what);
    if (j.contains("schemaVersion") && j["schemaVersion"] != 2)
      throw Error("unknown manifest schemaVersion " + j["schemaVersion"].dump());
    std::string mt = str_field(j, "mediaType", "the manifest");
    if (mt == media::kDockerSchema1 || mt == media::kDockerSchema1Signed) schema1(what);
    if (mt.empty()) mt = ct;
    bool index = mt == media::kOciIndex || mt == media::kDockerList ||
                 (mt.empty() && j.contains("manifests"));
    bool image = mt == media::kOciManifest || mt == media::kDockerManifest ||
                 (mt.empty() && j.contains("config") && j.contains("layers"));
    if (!index && !image)
      throw Error("unknown manifest media type \"" + mt + "\"", 0,
                  "pod reads OCI image manifests and indexes, and Docker schema 2 manifests "
                  "and manifest lists");
    ParsedManifest out;
    out.is_index = index;
    if (index) {
      out.index.media_type = mt;
      if (!j.contains("manifests") || !j["manifests"].is_array())
        throw Error("the index has no \"manifests\" array");
      size_t i = 0;
      for (const auto& m : j["manifests"])
        out.index.manifests.push_back(descriptor(m, "manifests[" + std::to_string(i++) + "]"));
      out.index.annotations = string_map(j, "annotations", "the index");
      return out;
    }
    out.manifest.media_type = mt;
    if (!j.contains("config")) throw Error("the manifest has no \"config\"");
    out.manifest.config = descriptor(j["config"], "config");
    if (!j.contains("layers") || !j["layers"].is_array())
      throw Error("the manifest has no \"layers\" array");
    if (j["layers"].size() > kMaxLayers)
      throw Error("refused: " + std::to_string(j["layers"].size()) + " layers, more than the " +
                  std::to_string(kMaxLayers) + " allowed");
    size_t i = 0;
    for (const auto& l : j["layers"])
      out.manifest.layers.push_back(descriptor(l, "layers[" + std::to_string(i++) + "]"));
    out.manifest.annotations = string_map(j, "annotations", "the manifest");
    return out;
  });
}

LayerCompression layer_compression(const Descriptor& layer) {
  const std::string& t = layer.media_type;
  if (t == media::kOciLayer || t == "application/vnd.docker.image.rootfs.diff.tar")
    return LayerCompression::none;
  if (t == media::kOciLayerGzip || t == media::kDockerLayerGzip) return LayerCompression::gzip;
  if (t == media::kOciLayerZstd) return LayerCompression::zstd;
  if (t.find("nondistributable") != std::string::npos || t.find("foreign") != std::string::npos)
    throw Error("layer " + layer.digest + " is a non-distributable (foreign) layer (" + t + ")", 0,
                "pod only fetches layers the image's own registry serves");
  throw Error("layer " + layer.digest + " has media type \"" + t + "\", which pod cannot unpack",
              0, "pod unpacks tar layers, uncompressed, gzip or zstd");
}

Platform host_platform() {
  struct utsname u {};
  ::uname(&u);
  std::string m = u.machine;
  Platform p{"linux", m, ""};
  if (m == "x86_64") p.architecture = "amd64";
  else if (m == "aarch64") p = {"linux", "arm64", "v8"};
  else if (m == "i686" || m == "i386") p.architecture = "386";
  else if (m == "armv7l") p = {"linux", "arm", "v7"};
  else if (m == "armv6l") p = {"linux", "arm", "v6"};
  return p;
}

const Descriptor& select_platform(const Index& index, const Platform& want,
                                  const std::string& what) {
  const Descriptor* loose = nullptr;
  std::vector<std::string> have;
  for (const auto& d : index.manifests) {
    if (!d.has_platform) continue;
    have.push_back(d.platform.str());
    if (d.platform.os != want.os || d.platform.architecture != want.architecture) continue;
    if (d.platform.variant == want.variant) return d;
    if (d.platform.variant.empty() || want.variant.empty()) loose = loose ? loose : &d;
  }
  if (loose) return *loose;
  throw Error(what + " has no image for this host's platform " + want.str() +
                  (have.empty() ? std::string(" (its entries name no platform)")
                                : " (it has " + join(have, ", ") + ")"),
              0, "ask the publisher for a " + want.str() + " image");
}

}  // namespace pod::oci
