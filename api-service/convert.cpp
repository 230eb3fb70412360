#include "api-service/convert.hpp"

#include "aci/manifest.hpp"
#include "common/error.hpp"

namespace pod::api {

namespace {

void add_key_values(const aci::NameValueList& list,
                    google::protobuf::RepeatedPtrField<v1alpha::KeyValue>& out) {
  for (const auto& nv : list) {
    auto* kv = out.Add();
    kv->set_key(nv.name);
    kv->set_value(nv.value);
  }
}

std::string json_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

v1alpha::PodState to_proto(pods::PodState s) {
  switch (s) {
    case pods::PodState::embryo: return v1alpha::POD_STATE_EMBRYO;
    case pods::PodState::preparing: return v1alpha::POD_STATE_PREPARING;
    case pods::PodState::aborted_prepare: return v1alpha::POD_STATE_ABORTED_PREPARE;
    case pods::PodState::prepared: return v1alpha::POD_STATE_PREPARED;
    case pods::PodState::running: return v1alpha::POD_STATE_RUNNING;
    case pods::PodState::exited: return v1alpha::POD_STATE_EXITED;
    // rkt's API has no "exited garbage": such a pod is garbage awaiting removal.
    case pods::PodState::exited_garbage: return v1alpha::POD_STATE_GARBAGE;
    case pods::PodState::garbage: return v1alpha::POD_STATE_GARBAGE;
    case pods::PodState::deleting: return v1alpha::POD_STATE_DELETING;
  }
  return v1alpha::POD_STATE_UNDEFINED;
}

void add_networks(const nlohmann::json& networks, v1alpha::Pod& pod) {
  if (!networks.is_array()) return;
  for (const auto& n : networks) {
    if (!n.is_object()) continue;
    std::string name = json_string(n, "netName");
    if (name.empty()) name = json_string(n, "name");
    if (name.empty()) continue;
    auto* net = pod.add_networks();
    net->set_name(name);
    // stage1-abi.md: "ip" is the IPv4 address when the plugin gave one, else the IPv6 one;
    // strip a prefix length should one be there ("172.16.28.7/24").
    std::string ip = json_string(n, "ip");
    ip = ip.substr(0, ip.find('/'));
    if (ip.find(':') != std::string::npos)
      net->set_ipv6(ip);
    else
      net->set_ipv4(ip);
  }
}

v1alpha::Pod to_proto(const PodRecord& rec, bool detail, const ImageLookup& lookup) {
  v1alpha::Pod p;
  p.set_id(rec.entry.uuid);
  p.set_state(to_proto(rec.entry.state));
  p.set_gc_marked_at(rec.gc_marked_at);
  if (!pod_is_complete(rec.entry.state)) return p;
  const auto& info = rec.info;
  if (info.pid) p.set_pid(*info.pid);
  bool exited = rec.entry.state != pods::PodState::running &&
                rec.entry.state != pods::PodState::prepared;
  for (size_t i = 0; i < info.apps.size(); ++i) {
    const auto& a = info.apps[i];
    auto* app = p.add_apps();
    app->set_name(a.name);
    std::optional<store::ImageRecord> img;
    if (detail && lookup) img = lookup(a.image_id);
    if (img) {
      *app->mutable_image() = to_proto(*img, false);
    } else {
      app->mutable_image()->set_id(a.image_id);
      if (detail) app->mutable_image()->set_name(a.image_name);
    }
    if (a.exit_code) {
      app->set_state(v1alpha::APP_STATE_EXITED);
      app->set_exit_code(*a.exit_code);
    } else if (rec.entry.state == pods::PodState::running) {
      app->set_state(v1alpha::APP_STATE_RUNNING);
    } else if (exited) {
      app->set_state(v1alpha::APP_STATE_EXITED);
    }
    if (i < rec.apps.size()) add_key_values(rec.apps[i].annotations, *app->mutable_annotations());
  }
  add_networks(info.networks, p);
  if (detail) p.set_manifest(rec.manifest_text);
  add_key_values(rec.annotations, *p.mutable_annotations());
  p.set_cgroup(rec.cgroup);
  if (info.created_at) p.set_created_at(*info.created_at);
  if (info.started_at) p.set_started_at(*info.started_at);
  return p;
}

v1alpha::Image to_proto(const store::ImageRecord& rec, bool detail) {
  v1alpha::Image img;
  img.set_id(rec.id);
  img.set_name(rec.name);
  img.set_import_timestamp(rec.import_time);
  img.set_size(static_cast<int64_t>(rec.size));
  add_key_values(rec.labels, *img.mutable_labels());
  if (auto v = rec.labels.get("version")) img.set_version(*v);
  auto* format = img.mutable_base_format();
  format->set_type(v1alpha::IMAGE_TYPE_APPC);
  try {
    auto m = aci::ImageManifest::parse(rec.manifest_text);
    format->set_version(m.ac_version);
    add_key_values(m.annotations, *img.mutable_annotations());
  } catch (const Error&) {
    // Validated at import; an index row from a newer pod may hold what we cannot parse.
  }
  if (detail) img.set_manifest(rec.manifest_text);
  return img;
}

void mark_oci(v1alpha::Image& img, const std::map<std::string, std::string>& oci) {
  auto it = oci.find(img.id());
  if (it == oci.end()) return;
  img.mutable_base_format()->set_type(v1alpha::IMAGE_TYPE_OCI);
  img.mutable_base_format()->set_version(it->second);
}

}  // namespace pod::api
