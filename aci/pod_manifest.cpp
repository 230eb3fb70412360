// The pod manifest (appc spec pods.md, Pod Manifest Schema) with rkt's userLabels and
// userAnnotations.
#include <arpa/inet.h>

#include <set>

#include "aci/json_fields.hpp"
#include "aci/manifest.hpp"
#include "aci/validation_error.hpp"

namespace pod::aci {
namespace {

using json = nlohmann::json;
using namespace json_fields;

RuntimeImage parse_runtime_image(const json& j, const std::string& field) {
  require_object(j, field);
  RuntimeImage image;
  image.id = required_string(j, "id", field);
  validate_image_id(image.id, member(field, "id"));
  image.name = optional_string(j, "name", field).value_or("");
  if (!image.name.empty()) validate_ac_identifier(image.name, member(field, "name"));
  image.labels = optional_labels(j, "labels", field);
  image.extra = unknown_members(j, {"id", "name", "labels"});
  return image;
}

Mount parse_mount(const json& j, const std::string& field) {
  require_object(j, field);
  Mount m;
  m.volume = required_string(j, "volume", field);
  validate_ac_name(m.volume, member(field, "volume"));
  m.path = required_string(j, "path", field);
  if (m.path.empty() || m.path[0] != '/')
    throw ValidationError(member(field, "path"), "\"" + m.path + "\" must be an absolute path");
  if (const json* app_volume = find(j, "appVolume")) {
    Volume v = Volume::from_json(*app_volume, member(field, "appVolume"));
    if (v.name != m.volume)
      throw ValidationError(member(member(field, "appVolume"), "name"),
                            "\"" + v.name + "\" must be the mount's volume name \"" + m.volume + "\"");
    m.app_volume = *app_volume;
  }
  m.extra = unknown_members(j, {"volume", "path", "appVolume"});
  return m;
}

RuntimeApp parse_runtime_app(const json& j, const std::string& field) {
  require_object(j, field);
  RuntimeApp ra;
  ra.name = required_string(j, "name", field);
  validate_ac_name(ra.name, member(field, "name"));
  ra.image = parse_runtime_image(require(j, "image", field), member(field, "image"));
  if (const json* app = find(j, "app")) ra.app = App::from_json(*app, member(field, "app"));
  ra.read_only_rootfs = optional_bool(j, "readOnlyRootFS", field).value_or(false);
  if (const json* mounts = find(j, "mounts")) {
    const std::string mounts_field = member(field, "mounts");
    require_array(*mounts, mounts_field);
    for (size_t i = 0; i < mounts->size(); ++i) ra.mounts.push_back(parse_mount((*mounts)[i], index(mounts_field, i)));
  }
  if (const json* annotations = find(j, "annotations"))
    ra.annotations = as_annotations(*annotations, member(field, "annotations"));
  ra.extra = unknown_members(j, {"name", "image", "app", "readOnlyRootFS", "mounts", "annotations"});
  return ra;
}

ExposedPort parse_exposed_port(const json& j, const std::string& field) {
  require_object(j, field);
  ExposedPort p;
  p.name = required_string(j, "name", field);
  validate_ac_name(p.name, member(field, "name"));
  p.host_port = static_cast<uint16_t>(as_integer(require(j, "hostPort", field), member(field, "hostPort"), 1, 65535));
  p.host_ip = optional_string(j, "hostIP", field).value_or("");
  if (!p.host_ip.empty()) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, p.host_ip.c_str(), buf) != 1 && inet_pton(AF_INET6, p.host_ip.c_str(), buf) != 1)
      throw ValidationError(member(field, "hostIP"), "\"" + p.host_ip + "\" is not an IPv4 or IPv6 address");
  }
  p.extra = unknown_members(j, {"name", "hostPort", "hostIP"});
  return p;
}

// rkt writes userLabels and userAnnotations as a JSON object of strings.
NameValueList parse_string_map(const json& obj, std::string_view key) {
  NameValueList out;
  const json* j = find(obj, key);
  if (!j) return out;
  const std::string field(key);
  require_object(*j, field);
  for (auto it = j->begin(); it != j->end(); ++it) out.set(it.key(), as_string(it.value(), member(field, it.key())));
  return out;
}

json string_map_json(const NameValueList& list) {
  json out = json::object();
  for (const auto& item : list) out[item.name] = item.value;
  return out;
}

template <class T, class Name>
void require_unique(const std::vector<T>& items, const std::string& field, Name name_of, const char* what) {
  std::set<std::string> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& name = name_of(items[i]);
    if (!seen.insert(name).second)
      throw ValidationError(member(index(field, i), "name"),
                            std::string(what) + " \"" + name + "\" is defined more than once");
  }
}

}  // namespace

PodManifest PodManifest::parse(std::string_view json_text) { return from_json(parse_text(json_text)); }

PodManifest PodManifest::from_json(const json& j) {
  PodManifest m;
  m.ac_version = kind_and_version(j, "PodManifest");
  if (const json* apps = find(j, "apps")) {
    require_array(*apps, "apps");
    for (size_t i = 0; i < apps->size(); ++i) m.apps.push_back(parse_runtime_app((*apps)[i], index("apps", i)));
  }
  require_unique(m.apps, "apps", [](const RuntimeApp& a) -> const std::string& { return a.name; }, "app");
  if (const json* volumes = find(j, "volumes")) {
    require_array(*volumes, "volumes");
    for (size_t i = 0; i < volumes->size(); ++i)
      m.volumes.push_back(Volume::from_json((*volumes)[i], index("volumes", i)));
  }
  require_unique(m.volumes, "volumes", [](const Volume& v) -> const std::string& { return v.name; }, "volume");
  for (size_t a = 0; a < m.apps.size(); ++a) {
    const auto& mounts = m.apps[a].mounts;
    for (size_t i = 0; i < mounts.size(); ++i)
      if (!mounts[i].app_volume && !m.find_volume(mounts[i].volume))
        throw ValidationError(member(index(member(index("apps", a), "mounts"), i), "volume"),
                              "no volume named \"" + mounts[i].volume + "\" in the pod's volumes");
  }
  if (const json* isolators = find(j, "isolators")) {
    require_array(*isolators, "isolators");
    for (size_t i = 0; i < isolators->size(); ++i)
      m.isolators.push_back(Isolator::from_json((*isolators)[i], index("isolators", i)));
    validate_isolator_list(m.isolators, "isolators");
  }
  if (const json* annotations = find(j, "annotations")) m.annotations = as_annotations(*annotations, "annotations");
  if (const json* ports = find(j, "ports")) {
    require_array(*ports, "ports");
    for (size_t i = 0; i < ports->size(); ++i) m.ports.push_back(parse_exposed_port((*ports)[i], index("ports", i)));
  }
  require_unique(m.ports, "ports", [](const ExposedPort& p) -> const std::string& { return p.name; }, "port");
  m.user_labels = parse_string_map(j, "userLabels");
  m.user_annotations = parse_string_map(j, "userAnnotations");
  m.extra = unknown_members(j, {"acKind", "acVersion", "apps", "volumes", "isolators", "annotations", "ports",
                                "userLabels", "userAnnotations"});
  return m;
}

json PodManifest::to_json() const {
  json out = json::object();
  out["acKind"] = "PodManifest";
  out["acVersion"] = ac_version;
  json app_list = json::array();
  for (const auto& ra : apps) {
    json image = {{"id", ra.image.id}};
    if (!ra.image.name.empty()) image["name"] = ra.image.name;
    if (!ra.image.labels.empty()) image["labels"] = json_fields::to_json(ra.image.labels);
    merge_extra(image, ra.image.extra);
    json item = {{"name", ra.name}, {"image", std::move(image)}};
    if (ra.app) item["app"] = ra.app->to_json();
    if (ra.read_only_rootfs) item["readOnlyRootFS"] = true;
    if (!ra.mounts.empty()) {
      json mounts = json::array();
      for (const auto& mount : ra.mounts) {
        json mj = {{"volume", mount.volume}, {"path", mount.path}};
        if (mount.app_volume) mj["appVolume"] = *mount.app_volume;
        merge_extra(mj, mount.extra);
        mounts.push_back(std::move(mj));
      }
      item["mounts"] = std::move(mounts);
    }
    if (!ra.annotations.empty()) item["annotations"] = json_fields::to_json(ra.annotations);
    merge_extra(item, ra.extra);
    app_list.push_back(std::move(item));
  }
  out["apps"] = std::move(app_list);
  if (!volumes.empty()) {
    json list = json::array();
    for (const auto& v : volumes) list.push_back(v.to_json());
    out["volumes"] = std::move(list);
  }
  if (!isolators.empty()) {
    json list = json::array();
    for (const auto& iso : isolators) list.push_back(iso.to_json());
    out["isolators"] = std::move(list);
  }
  if (!annotations.empty()) out["annotations"] = json_fields::to_json(annotations);
  if (!ports.empty()) {
    json list = json::array();
    for (const auto& p : ports) {
      json item = {{"name", p.name}, {"hostPort", p.host_port}};
      if (!p.host_ip.empty()) item["hostIP"] = p.host_ip;
      merge_extra(item, p.extra);
      list.push_back(std::move(item));
    }
    out["ports"] = std::move(list);
  }
  if (!user_labels.empty()) out["userLabels"] = string_map_json(user_labels);
  if (!user_annotations.empty()) out["userAnnotations"] = string_map_json(user_annotations);
  merge_extra(out, extra);
  return out;
}

std::string PodManifest::serialize() const { return dump_manifest(to_json()); }

const RuntimeApp* PodManifest::find_app(std::string_view name) const {
  for (const auto& a : apps)
    if (a.name == name) return &a;
  return nullptr;
}

const Volume* PodManifest::find_volume(std::string_view name) const {
  for (const auto& v : volumes)
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace pod::aci
