// NameValueList, and the rules labels follow (appc spec types.md, schema/types/labels.go).
#include <algorithm>
#include <array>
#include <set>

#include "aci/names.hpp"
#include "aci/validation_error.hpp"

namespace pod::aci {

std::optional<std::string> NameValueList::get(std::string_view name) const {
  for (const auto& item : items_)
    if (item.name == name) return item.value;
  return std::nullopt;
}

void NameValueList::set(std::string name, std::string value) {
  for (auto& item : items_) {
    if (item.name == name) {
      item.value = std::move(value);
      return;
    }
  }
  items_.push_back({std::move(name), std::move(value)});
}

bool NameValueList::erase(std::string_view name) {
  auto it = std::find_if(items_.begin(), items_.end(), [&](const NameValue& i) { return i.name == name; });
  if (it == items_.end()) return false;
  items_.erase(it);
  return true;
}

namespace {

struct OsArches {
  std::string_view os;
  std::vector<std::string_view> arches;
};

const std::array<OsArches, 3>& valid_os_arches() {
  static const std::array<OsArches, 3> table{{
      {"linux", {"amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le",
                 "s390x"}},
      {"freebsd", {"amd64", "i386", "arm"}},
      {"darwin", {"x86_64", "i386"}},
  }};
  return table;
}

const OsArches* find_os(std::string_view os) {
  for (const auto& entry : valid_os_arches())
    if (entry.os == os) return &entry;
  return nullptr;
}

std::string join_views(const std::vector<std::string_view>& v) {
  std::string out;
  for (auto s : v) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

}  // namespace

bool is_valid_os_arch(std::string_view os, std::string_view arch) {
  const OsArches* entry = find_os(os);
  if (!entry) return false;
  if (arch.empty()) return true;
  return std::find(entry->arches.begin(), entry->arches.end(), arch) != entry->arches.end();
}

void validate_labels(const Labels& labels, const std::string& field) {
  std::set<std::string_view> seen;
  size_t i = 0;
  for (const auto& label : labels) {
    std::string item_field = field + "[" + std::to_string(i++) + "].name";
    validate_ac_identifier(label.name, item_field);
    if (label.name == "name")
      throw ValidationError(item_field, "\"name\" cannot be a label: the image's name is its own field");
    if (!seen.insert(label.name).second)
      throw ValidationError(item_field, "label \"" + label.name + "\" appears more than once");
  }
  auto os = labels.get("os");
  auto arch = labels.get("arch");
  if (os) {
    const OsArches* entry = find_os(*os);
    if (!entry)
      throw ValidationError(field, "os \"" + *os + "\" is not supported: use linux, freebsd or darwin");
    if (arch && !is_valid_os_arch(*os, *arch))
      throw ValidationError(field, "arch \"" + *arch + "\" is not valid for os \"" + *os +
                                       "\": use one of " + join_views(entry->arches));
  }
}

}  // namespace pod::aci
