// appc spec types/: AC Identifier, AC Name, AC Version, labels, annotations.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pod::aci {

// AC Identifier (image names, label, annotation and isolator names): runs of lower-case
// alphanumerics joined by single "-._~/" characters, ^[a-z0-9]+([-._~/][a-z0-9]+)*$.
[[nodiscard]] bool is_ac_identifier(std::string_view s);
// AC Name (app, volume, mount point and port names): runs of lower-case alphanumerics
// joined by single '-', ^[a-z0-9]+(-[a-z0-9]+)*$.
[[nodiscard]] bool is_ac_name(std::string_view s);
// Throws ValidationError(field, rule) unless valid.
void validate_ac_identifier(std::string_view s, const std::string& field);
void validate_ac_name(std::string_view s, const std::string& field);
// Turns an arbitrary string into a valid AC Name ("My_App" -> "my-app"), as rkt names apps.
// Throws ValidationError when `s` has no letter or digit to keep.
[[nodiscard]] std::string sanitize_ac_name(std::string_view s);

// Semantic version 2.0.0 check for acVersion.
[[nodiscard]] bool is_semver(std::string_view s);

// A C identifier (environment variable names): [A-Za-z_][A-Za-z0-9_]*.
[[nodiscard]] bool is_c_identifier(std::string_view s);

// Image ID as manifests write it: "sha512-" and lower-case hex digits (at most 128; rkt
// writes the first 64). Throws ValidationError(field, rule) unless valid.
[[nodiscard]] bool is_image_id(std::string_view s);
void validate_image_id(std::string_view s, const std::string& field);

// The appc os and arch label values of the machine we run on ("linux", "amd64"), for
// matching images against this host.
[[nodiscard]] std::string default_os();
[[nodiscard]] std::string default_arch();

// An ordered list of name/value pairs with unique names (labels, annotations,
// environment). Kept as a vector so serialisation keeps the author's order.
struct NameValue {
  std::string name;
  std::string value;
  friend bool operator==(const NameValue&, const NameValue&) = default;
};

class NameValueList {
 public:
  NameValueList() = default;
  NameValueList(std::initializer_list<NameValue> l) : items_(l) {}
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  // Replaces the value of an existing name, or appends.
  void set(std::string name, std::string value);
  bool erase(std::string_view name);
  [[nodiscard]] const std::vector<NameValue>& items() const noexcept { return items_; }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] size_t size() const noexcept { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  friend bool operator==(const NameValueList&, const NameValueList&) = default;

 private:
  std::vector<NameValue> items_;
};

using Labels = NameValueList;       // names are AC Identifiers; "version", "os", "arch" well known
using Annotations = NameValueList;  // names are AC Identifiers
using Environment = NameValueList;  // names are C identifiers

// The os/arch pairs the spec allows (linux: amd64 i386 aarch64 aarch64_be armv6l armv7l armv7b
// ppc64 ppc64le s390x; freebsd: amd64 i386 arm; darwin: x86_64 i386).
[[nodiscard]] bool is_valid_os_arch(std::string_view os, std::string_view arch);
// Validates labels: names are AC Identifiers and unique, os/arch valid together.
void validate_labels(const Labels& labels, const std::string& field);

// "example.com/app:1.0" or "example.com/app,version=1.0,os=linux" -> name and labels.
// `:tag` means version=tag. Throws ValidationError on a bad name or label.
struct ImageReference {
  std::string name;
  Labels labels;
};
[[nodiscard]] ImageReference parse_image_reference(std::string_view text);
// Back to "name,label=value,..." (rkt's display form; "name:version" when only version is set).
[[nodiscard]] std::string format_image_reference(const ImageReference& ref);

}  // namespace pod::aci
