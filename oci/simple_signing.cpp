#include "oci/simple_signing.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "oci/digest.hpp"
#include "oci/reference.hpp"

namespace pod::oci {

namespace {

using json = nlohmann::json;

const json& object_member(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_object())
    throw Error("the signature payload has no \"" + where + key + "\" object");
  return j[key];
}

void only_members(const json& j, std::initializer_list<const char*> allowed, const std::string& where) {
  for (const auto& [k, v] : j.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) throw Error("the signature payload has an unknown critical member \"" + where + k + "\"");
  }
}

}  // namespace

SignaturePayload parse_signature_payload(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error("the signed payload is not a JSON object");
  const json& c = object_member(j, "critical", "");
  only_members(c, {"type", "image", "identity"}, "critical.");
  if (!c.contains("type") || c["type"] != kSignatureType)
    throw Error("the signed payload's critical.type is not \"" + std::string(kSignatureType) + "\"");
  const json& img = object_member(c, "image", "critical.");
  only_members(img, {"docker-manifest-digest"}, "critical.image.");
  const json& id = object_member(c, "identity", "critical.");
  only_members(id, {"docker-reference"}, "critical.identity.");
  SignaturePayload p;
  if (!img.contains("docker-manifest-digest") || !img["docker-manifest-digest"].is_string())
    throw Error("the signed payload has no critical.image.docker-manifest-digest");
  p.manifest_digest = parse_digest(img["docker-manifest-digest"].get<std::string>(),
                                   "critical.image.docker-manifest-digest").str();
  if (!id.contains("docker-reference") || !id["docker-reference"].is_string())
    throw Error("the signed payload has no critical.identity.docker-reference");
  p.docker_reference = id["docker-reference"].get<std::string>();
  if (j.contains("optional") && j["optional"].is_object()) {
    const json& o = j["optional"];
    if (o.contains("creator") && o["creator"].is_string()) p.creator = o["creator"].get<std::string>();
    if (o.contains("timestamp") && o["timestamp"].is_number_integer())
      p.timestamp = o["timestamp"].get<int64_t>();
  }
  return p;
}

std::string make_signature_payload(const SignaturePayload& p) {
  json j{{"critical",
          {{"type", kSignatureType},
           {"image", {{"docker-manifest-digest", p.manifest_digest}}},
           {"identity", {{"docker-reference", p.docker_reference}}}}},
         {"optional", json::object()}};
  if (!p.creator.empty()) j["optional"]["creator"] = p.creator;
  if (p.timestamp != 0) j["optional"]["timestamp"] = p.timestamp;
  return j.dump();
}

bool reference_matches(std::string_view signed_reference, std::string_view wanted) {
  try {
    DockerName s = parse_docker_name(signed_reference);
    DockerName w = parse_docker_name(wanted);
    if (s.name() != w.name()) return false;
    // By digest, the manifest digest (checked separately) is the identity: any reference
    // to the same repository will do (containers/image's matchRepoDigestOrExact).
    if (!w.digest.empty()) return true;
    return s.digest.empty() && s.tag == w.tag;
  } catch (const Error&) {
    return false;
  }
}

std::string lookaside_url(std::string_view base, std::string_view repository,
                          std::string_view manifest_digest, int n) {
  Digest d = parse_digest(manifest_digest, "manifest digest");
  std::string b(base);
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + "/" + std::string(repository) + "@" + d.algorithm + "=" + d.hex + "/signature-" +
         std::to_string(n);
}

}  // namespace pod::oci
