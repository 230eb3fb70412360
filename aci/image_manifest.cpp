// The image manifest (appc spec aci.md, Image Manifest Schema).
#include "aci/json_fields.hpp"
#include "aci/manifest.hpp"
#include "aci/validation_error.hpp"

namespace pod::aci {
namespace {

using json = nlohmann::json;
using namespace json_fields;

Dependency parse_dependency(const json& j, const std::string& field) {
  require_object(j, field);
  Dependency d;
  d.image_name = required_string(j, "imageName", field);
  validate_ac_identifier(d.image_name, member(field, "imageName"));
  d.image_id = optional_string(j, "imageID", field);
  if (d.image_id) validate_image_id(*d.image_id, member(field, "imageID"));
  d.labels = optional_labels(j, "labels", field);
  if (const json* size = find(j, "size")) d.size = as_unsigned(*size, member(field, "size"));
  d.extra = unknown_members(j, {"imageName", "imageID", "labels", "size"});
  return d;
}

}  // namespace

ImageManifest ImageManifest::parse(std::string_view json_text) { return from_json(parse_text(json_text)); }

ImageManifest ImageManifest::from_json(const json& j) {
  ImageManifest m;
  m.ac_version = kind_and_version(j, "ImageManifest");
  m.name = required_string(j, "name", "");
  validate_ac_identifier(m.name, "name");
  m.labels = optional_labels(j, "labels", "");
  if (const json* app = find(j, "app")) m.app = App::from_json(*app, "app");
  if (const json* deps = find(j, "dependencies")) {
    require_array(*deps, "dependencies");
    for (size_t i = 0; i < deps->size(); ++i)
      m.dependencies.push_back(parse_dependency((*deps)[i], index("dependencies", i)));
  }
  if (const json* whitelist = find(j, "pathWhitelist")) {
    m.path_whitelist = as_string_array(*whitelist, "pathWhitelist");
    for (size_t i = 0; i < m.path_whitelist.size(); ++i)
      if (m.path_whitelist[i].empty() || m.path_whitelist[i][0] != '/')
        throw ValidationError(index("pathWhitelist", i),
                              "\"" + m.path_whitelist[i] + "\" must be an absolute path");
  }
  if (const json* annotations = find(j, "annotations")) m.annotations = as_annotations(*annotations, "annotations");
  m.extra = unknown_members(j, {"acKind", "acVersion", "name", "labels", "app", "dependencies", "pathWhitelist",
                                "annotations"});
  return m;
}

json ImageManifest::to_json() const {
  json out = json::object();
  out["acKind"] = "ImageManifest";
  out["acVersion"] = ac_version;
  out["name"] = name;
  if (!labels.empty()) out["labels"] = json_fields::to_json(labels);
  if (app) out["app"] = app->to_json();
  if (!dependencies.empty()) {
    json list = json::array();
    for (const auto& d : dependencies) {
      json item = {{"imageName", d.image_name}};
      if (d.image_id) item["imageID"] = *d.image_id;
      if (!d.labels.empty()) item["labels"] = json_fields::to_json(d.labels);
      if (d.size) item["size"] = *d.size;
      merge_extra(item, d.extra);
      list.push_back(std::move(item));
    }
    out["dependencies"] = std::move(list);
  }
  if (!path_whitelist.empty()) out["pathWhitelist"] = path_whitelist;
  if (!annotations.empty()) out["annotations"] = json_fields::to_json(annotations);
  merge_extra(out, extra);
  return out;
}

std::string ImageManifest::serialize() const { return dump_manifest(to_json()); }

}  // namespace pod::aci
