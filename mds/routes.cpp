#include "mds/routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "common/uuid.hpp"
#include "mds/crypto.hpp"
#include "mds/pod_state.hpp"

namespace pod::mds {

namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/acMetadata/v1/";
constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=us-ascii";

HttpResponse text(int status, std::string body) { return {status, kText, std::move(body)}; }
HttpResponse json_body(std::string body) { return {200, kJson, std::move(body)}; }

// The pod manifest's entry for `app`, or null.
json find_app(const json& manifest, const std::string& app) {
  if (!manifest.contains("apps") || !manifest["apps"].is_array()) return nullptr;
  for (const auto& a : manifest["apps"])
    if (a.is_object() && a.value("name", std::string()) == app) return a;
  return nullptr;
}

json parse_manifest(const std::string& text, const std::string& what) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) throw Error(what + " is not a JSON object");
  return j;
}

HttpResponse hmac_sign(const RegisteredPod& pod, const HttpRequest& req) {
  auto form = parse_form(req.body);
  if (!form || !form->count("content")) return text(400, "POST a form with content=<object to sign>\n");
  return text(200, base64(hmac_sha512(pod.key, form->at("content"))));
}

HttpResponse hmac_verify(const Registry& registry, const HttpRequest& req) {
  auto form = parse_form(req.body);
  if (!form || !form->count("content") || !form->count("uuid") || !form->count("signature"))
    return text(400, "POST a form with content=, uuid= and signature=\n");
  auto uuid = normalize_uuid(form->at("uuid"));
  const RegisteredPod* signer = uuid ? registry.by_uuid(*uuid) : nullptr;
  // An unknown pod and a wrong signature look the same: which pods exist is not a verifier's business.
  if (!signer || !equal_secret(base64(hmac_sha512(signer->key, form->at("content"))), form->at("signature")))
    return text(403, "signature does not verify\n");
  return text(200, "");
}

HttpResponse pod_endpoint(const RegisteredPod& pod, const std::string& what) {
  if (what == "uuid") return text(200, pod.uuid);
  std::string manifest_text = read_file(pod.dir() + "/pod");
  if (what == "manifest") return json_body(manifest_text);
  if (what == "annotations") {
    json m = parse_manifest(manifest_text, "the pod manifest");
    // The manifest's own value, null when it has none: a client decoding both (the spec's
    // validator compares them) must get the same.
    return json_body(m.contains("annotations") ? m["annotations"].dump() : "null");
  }
  return text(404, "no such pod entry: " + what + "\n");
}

HttpResponse app_endpoint(const RegisteredPod& pod, const std::string& app, const std::string& what) {
  json manifest = parse_manifest(read_file(pod.dir() + "/pod"), "the pod manifest");
  json entry = find_app(manifest, app);
  // The name must be the manifest's before it becomes a path.
  if (entry.is_null()) return text(404, "the pod has no app named \"" + app + "\"\n");
  if (what == "image/id") {
    if (!entry.contains("image") || !entry["image"].is_object() || !entry["image"].contains("id"))
      return text(500, "the pod manifest has no image ID for app " + app + "\n");
    return text(200, entry["image"]["id"].get<std::string>());
  }
  std::string image_manifest = read_file(pod.dir() + "/appsinfo/" + app + "/manifest");
  if (what == "image/manifest") return json_body(image_manifest);
  if (what == "annotations") return json_body(merged_annotations(image_manifest, manifest.dump(), app));
  return text(404, "no such app entry: " + what + "\n");
}

}  // namespace

PodProbe real_probe() { return {&pod_running, &pod_addresses}; }

std::string merged_annotations(const std::string& image_manifest, const std::string& pod_manifest,
                               const std::string& app) {
  json image = parse_manifest(image_manifest, "the image manifest of app " + app);
  json out = json::array();
  auto set = [&](const json& a) {
    if (!a.is_object() || !a.contains("name")) return;
    for (auto& have : out)
      if (have["name"] == a["name"]) {
        have["value"] = a.value("value", json(""));
        return;
      }
    out.push_back(json{{"name", a["name"]}, {"value", a.value("value", json(""))}});
  };
  if (image.contains("annotations") && image["annotations"].is_array())
    for (const auto& a : image["annotations"]) set(a);
  json entry = find_app(parse_manifest(pod_manifest, "the pod manifest"), app);
  if (entry.is_object() && entry.contains("annotations") && entry["annotations"].is_array())
    for (const auto& a : entry["annotations"]) set(a);
  return out.dump();
}

HttpResponse route(const HttpRequest& req, const std::string& peer, Registry& registry, const PodProbe& probe) {
  std::string path = req.target.substr(0, req.target.find('?'));
  // "/<token>/acMetadata/v1/..."
  if (path.size() < 2 || path[0] != '/') return text(404, "not found\n");
  size_t slash = path.find('/', 1);
  if (slash == std::string::npos || path.compare(slash, kPrefix.size(), kPrefix) != 0)
    return text(404, "metadata lives under $AC_METADATA_URL/acMetadata/v1/\n");
  const RegisteredPod* pod = registry.by_token(path.substr(1, slash - 1));
  if (!pod) return text(401, "unknown metadata token: use the AC_METADATA_URL the pod was given\n");
  if (!probe.running(pod->dir())) {
    registry.remove(std::string(pod->uuid));
    return text(401, "unknown metadata token: use the AC_METADATA_URL the pod was given\n");
  }
  auto addrs = probe.addresses(pod->dir());
  if (std::find(addrs.begin(), addrs.end(), peer) == addrs.end())
    return text(403, "this token belongs to another pod\n");
  std::string rest = path.substr(slash + kPrefix.size());
  try {
    if (rest == "pod/hmac/sign" || rest == "pod/hmac/verify") {
      if (req.method != "POST") return text(405, "POST a form to " + rest + "\n");
      return rest == "pod/hmac/sign" ? hmac_sign(*pod, req) : hmac_verify(registry, req);
    }
    if (req.method != "GET") return text(405, "GET " + rest + "\n");
    if (starts_with(rest, "pod/")) return pod_endpoint(*pod, rest.substr(4));
    if (starts_with(rest, "apps/")) {
      std::string tail = rest.substr(5);
      size_t s = tail.find('/');
      if (s == std::string::npos || s == 0) return text(404, "apps/<name>/<entry>\n");
      return app_endpoint(*pod, tail.substr(0, s), tail.substr(s + 1));
    }
  } catch (const Error& e) {
    return text(500, std::string("pod ") + pod->uuid + ": " + e.what() + "\n");
  }
  return text(404, "no such metadata entry: " + rest + "\n");
}

}  // namespace pod::mds
