#include "api-service/filters.hpp"

#include <algorithm>
#include <string_view>

namespace pod::api {

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

[[noreturn]] void invalid(const std::string& where, const std::string& what) {
  throw InvalidArgument(where + ": " + what);
}

template <class List>
void require_non_empty_items(const List& items, const std::string& where, const char* field,
                             const char* what) {
  for (int i = 0; i < items.size(); ++i)
    if (items.Get(i).empty())
      invalid(where + "." + field + "[" + std::to_string(i) + "]", std::string("empty ") + what);
}

void validate_key_values(const google::protobuf::RepeatedPtrField<v1alpha::KeyValue>& kvs,
                         const std::string& where, const char* field) {
  for (int i = 0; i < kvs.size(); ++i)
    if (kvs.Get(i).key().empty())
      invalid(where + "." + field + "[" + std::to_string(i) + "]", "the Key is empty");
}

void validate_cgroups(const google::protobuf::RepeatedPtrField<std::string>& list,
                      const std::string& where, const char* field) {
  for (int i = 0; i < list.size(); ++i)
    if (list.Get(i).empty() || list.Get(i)[0] != '/')
      invalid(where + "." + field + "[" + std::to_string(i) + "]",
              "\"" + list.Get(i) + "\" is not a cgroup path (it must start with /)");
}

template <class List, class T>
bool contains(const List& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Every wanted key/value pair is among `have`.
bool has_all(const google::protobuf::RepeatedPtrField<v1alpha::KeyValue>& have,
             const google::protobuf::RepeatedPtrField<v1alpha::KeyValue>& wanted) {
  for (const auto& w : wanted) {
    bool found = std::any_of(have.begin(), have.end(), [&](const v1alpha::KeyValue& h) {
      return h.key() == w.key() && h.value() == w.value();
    });
    if (!found) return false;
  }
  return true;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view base_name(std::string_view name) {
  auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

}  // namespace

bool is_pod_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool is_image_id_or_prefix(std::string_view s) {
  constexpr std::string_view kPrefix = "sha512-";
  if (!starts_with(s, kPrefix) || s.size() == kPrefix.size() || s.size() > kPrefix.size() + 128)
    return false;
  return std::all_of(s.begin() + kPrefix.size(), s.end(), is_hex);
}

void validate(const v1alpha::PodFilter& f, const std::string& where) {
  for (int i = 0; i < f.ids_size(); ++i)
    if (!is_pod_uuid(f.ids(i)))
      invalid(where + ".ids[" + std::to_string(i) + "]",
              "\"" + f.ids(i) + "\" is not a pod UUID (8-4-4-4-12 lower-case hex digits)");
  for (int i = 0; i < f.states_size(); ++i)
    if (f.states(i) == v1alpha::POD_STATE_UNDEFINED || !v1alpha::PodState_IsValid(f.states(i)))
      invalid(where + ".states[" + std::to_string(i) + "]",
              "state " + std::to_string(f.states(i)) + " is not a pod state (1 to 8)");
  require_non_empty_items(f.app_names(), where, "app_names", "app name");
  for (int i = 0; i < f.image_ids_size(); ++i)
    if (!is_image_id_or_prefix(f.image_ids(i)))
      invalid(where + ".image_ids[" + std::to_string(i) + "]",
              "\"" + f.image_ids(i) + "\" is not an image ID (sha512-<hex>)");
  require_non_empty_items(f.network_names(), where, "network_names", "network name");
  validate_key_values(f.annotations(), where, "annotations");
  validate_cgroups(f.cgroups(), where, "cgroups");
  validate_cgroups(f.pod_sub_cgroups(), where, "pod_sub_cgroups");
}

void validate(const v1alpha::ImageFilter& f, const std::string& where) {
  for (int i = 0; i < f.ids_size(); ++i)
    if (!is_image_id_or_prefix(f.ids(i)))
      invalid(where + ".ids[" + std::to_string(i) + "]",
              "\"" + f.ids(i) + "\" is not an image ID or ID prefix (sha512-<hex>)");
  require_non_empty_items(f.prefixes(), where, "prefixes", "prefix");
  require_non_empty_items(f.base_names(), where, "base_names", "base name");
  for (int i = 0; i < f.base_names_size(); ++i)
    if (f.base_names(i).find('/') != std::string::npos)
      invalid(where + ".base_names[" + std::to_string(i) + "]",
              "\"" + f.base_names(i) + "\" contains a /; a base name is the last part of a name");
  require_non_empty_items(f.keywords(), where, "keywords", "keyword");
  validate_key_values(f.labels(), where, "labels");
  validate_key_values(f.annotations(), where, "annotations");
  require_non_empty_items(f.full_names(), where, "full_names", "name");
  if (f.imported_after() < 0) invalid(where + ".imported_after", "negative timestamp");
  if (f.imported_before() < 0) invalid(where + ".imported_before", "negative timestamp");
  if (f.imported_after() != 0 && f.imported_before() != 0 &&
      f.imported_after() >= f.imported_before())
    invalid(where, "imported_after (" + std::to_string(f.imported_after()) +
                       ") is not before imported_before (" +
                       std::to_string(f.imported_before()) + "): no image can match");
}

void validate(const v1alpha::EventFilter& f, const std::string& where) {
  for (int i = 0; i < f.types_size(); ++i)
    if (f.types(i) == v1alpha::EVENT_TYPE_UNDEFINED || !v1alpha::EventType_IsValid(f.types(i)))
      invalid(where + ".types[" + std::to_string(i) + "]",
              "type " + std::to_string(f.types(i)) + " is not an event type (1 to 9)");
  if (f.since_time() < 0) invalid(where + ".since_time", "negative timestamp");
  if (f.until_time() < 0) invalid(where + ".until_time", "negative timestamp");
  if (f.since_time() != 0 && f.until_time() != 0 && f.since_time() > f.until_time())
    invalid(where, "since_time is after until_time");
}

bool matches(const v1alpha::Pod& pod, const v1alpha::PodFilter& f) {
  if (!f.ids().empty() && !contains(f.ids(), pod.id())) return false;
  if (!f.states().empty() && !contains(f.states(), static_cast<int>(pod.state()))) return false;
  for (const auto& want : f.app_names()) {
    bool found = std::any_of(pod.apps().begin(), pod.apps().end(),
                             [&](const v1alpha::App& a) { return a.name() == want; });
    if (!found) return false;
  }
  for (const auto& want : f.image_ids()) {
    bool found = std::any_of(pod.apps().begin(), pod.apps().end(), [&](const v1alpha::App& a) {
      return starts_with(a.image().id(), want);
    });
    if (!found) return false;
  }
  for (const auto& want : f.network_names()) {
    bool found = std::any_of(pod.networks().begin(), pod.networks().end(),
                             [&](const v1alpha::Network& n) { return n.name() == want; });
    if (!found) return false;
  }
  if (!has_all(pod.annotations(), f.annotations())) return false;
  if (!f.cgroups().empty() && (pod.cgroup().empty() || !contains(f.cgroups(), pod.cgroup())))
    return false;
  if (!f.pod_sub_cgroups().empty()) {
    if (pod.cgroup().empty()) return false;
    bool found = std::any_of(f.pod_sub_cgroups().begin(), f.pod_sub_cgroups().end(),
                             [&](const std::string& sub) {
                               return sub == pod.cgroup() || starts_with(sub, pod.cgroup() + "/");
                             });
    if (!found) return false;
  }
  return true;
}

bool matches(const v1alpha::Image& image, const v1alpha::ImageFilter& f) {
  if (!f.ids().empty() &&
      std::none_of(f.ids().begin(), f.ids().end(),
                   [&](const std::string& id) { return starts_with(image.id(), id); }))
    return false;
  if (!f.prefixes().empty() &&
      std::none_of(f.prefixes().begin(), f.prefixes().end(),
                   [&](const std::string& p) { return starts_with(image.name(), p); }))
    return false;
  if (!f.base_names().empty() && !contains(f.base_names(), std::string(base_name(image.name()))))
    return false;
  if (!f.keywords().empty() &&
      std::none_of(f.keywords().begin(), f.keywords().end(), [&](const std::string& k) {
        return image.name().find(k) != std::string::npos;
      }))
    return false;
  if (!has_all(image.labels(), f.labels())) return false;
  if (f.imported_after() != 0 && image.import_timestamp() <= f.imported_after()) return false;
  if (f.imported_before() != 0 && image.import_timestamp() >= f.imported_before()) return false;
  if (!has_all(image.annotations(), f.annotations())) return false;
  if (!f.full_names().empty() && !contains(f.full_names(), image.name())) return false;
  return true;
}

bool matches(const v1alpha::Event& e, const v1alpha::EventFilter& f) {
  if (!f.types().empty() && !contains(f.types(), static_cast<int>(e.type()))) return false;
  if (!f.ids().empty() && !contains(f.ids(), e.id())) return false;
  if (!f.names().empty() && !contains(f.names(), e.from())) return false;
  if (f.since_time() != 0 && e.time() < f.since_time()) return false;
  if (f.until_time() != 0 && e.time() > f.until_time()) return false;
  return true;
}

}  // namespace pod::api
