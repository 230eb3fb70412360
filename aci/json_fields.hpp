// Reading and writing manifest JSON with errors that name the JSON path of the field
// ("app.ports[2].port"). Internal to aci/: the manifest types use these helpers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aci/names.hpp"

namespace pod::aci::json_fields {

using nlohmann::json;

// "app" + "exec" -> "app.exec"; "" + "name" -> "name".
[[nodiscard]] std::string member(const std::string& field, std::string_view key);
// "app.exec" + 0 -> "app.exec[0]".
[[nodiscard]] std::string index(const std::string& field, size_t i);

// Parses JSON text; malformed input becomes a ValidationError carrying the parser's position.
[[nodiscard]] json parse_text(std::string_view text);

// Pretty JSON text of a manifest. A string that is not valid UTF-8 (set programmatically,
// say from a command-line argument) cannot be written as JSON: that is a ValidationError.
[[nodiscard]] std::string dump_manifest(const json& j);

void require_object(const json& j, const std::string& field);
void require_array(const json& j, const std::string& field);

// The member `key` of object `obj`, nullptr when absent or null (null means "not given",
// as the reference implementation reads it).
[[nodiscard]] const json* find(const json& obj, std::string_view key);
[[nodiscard]] const json& require(const json& obj, std::string_view key, const std::string& field);

[[nodiscard]] std::string as_string(const json& j, const std::string& field);
[[nodiscard]] bool as_bool(const json& j, const std::string& field);
[[nodiscard]] int64_t as_integer(const json& j, const std::string& field,
                                 int64_t min = std::numeric_limits<int64_t>::min(),
                                 int64_t max = std::numeric_limits<int64_t>::max());
[[nodiscard]] uint64_t as_unsigned(const json& j, const std::string& field);
[[nodiscard]] std::vector<std::string> as_string_array(const json& j, const std::string& field);

[[nodiscard]] std::string required_string(const json& obj, std::string_view key, const std::string& field);
[[nodiscard]] std::optional<std::string> optional_string(const json& obj, std::string_view key,
                                                         const std::string& field);
[[nodiscard]] std::optional<bool> optional_bool(const json& obj, std::string_view key,
                                                const std::string& field);

// A list of {"name": ..., "value": ...} objects with unique names. Name syntax is the
// caller's to check (labels, annotations and environment differ).
[[nodiscard]] NameValueList as_name_values(const json& j, const std::string& field);
[[nodiscard]] json to_json(const NameValueList& list);
// Annotations: names are AC Identifiers and unique.
[[nodiscard]] Annotations as_annotations(const json& j, const std::string& field);
void validate_annotations(const Annotations& annotations, const std::string& field);

// Labels under `key` of `obj` (absent: none): names are AC Identifiers, unique, os/arch valid.
[[nodiscard]] Labels optional_labels(const json& obj, std::string_view key, const std::string& field);

// Checks acKind (must be `kind`) and returns acVersion (must be a semantic version).
[[nodiscard]] std::string kind_and_version(const json& manifest, const char* kind);

// Members of `obj` whose keys are not in `known`: what a round trip has to keep.
[[nodiscard]] json unknown_members(const json& obj, std::initializer_list<std::string_view> known);
// Adds the members of `extra` that `out` does not have.
void merge_extra(json& out, const json& extra);

}  // namespace pod::aci::json_fields
