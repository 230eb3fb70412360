#include "aci/json_fields.hpp"

#include <algorithm>
#include <set>

#include "aci/validation_error.hpp"

namespace pod::aci::json_fields {

std::string member(const std::string& field, std::string_view key) {
  return field.empty() ? std::string(key) : field + "." + std::string(key);
}

std::string index(const std::string& field, size_t i) { return field + "[" + std::to_string(i) + "]"; }

namespace {

// The text between `from` and `to` in `s` (to the end when `to` is absent), or empty.
std::string between(const std::string& s, std::string_view from, std::string_view to) {
  size_t a = s.find(from);
  if (a == std::string::npos) return {};
  a += from.size();
  size_t b = to.empty() ? std::string::npos : s.find(to, a);
  return s.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// Our words for a JSON syntax error: where (line and column, counted from nlohmann's byte
// offset) and what was expected, from the pieces of its message ("syntax error while
// parsing CONTEXT - PROBLEM; last read: 'TEXT'; expected WHAT").
std::string describe_parse_error(std::string_view text, const json::parse_error& e) {
  size_t end = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(end), '\n'));
  size_t line_start = text.rfind('\n', end == 0 ? 0 : end - 1);
  size_t column = line_start == std::string_view::npos || end == 0 ? end + 1 : end - line_start;
  std::string what = e.what();
  std::string context = between(what, "while parsing ", " - ");
  std::string problem = between(what, " - ", ";");
  std::string last = between(what, "last read: '", "'");
  std::string expected = between(what, "; expected ", "");
  std::string out = "malformed JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  if (!expected.empty()) out += "expected " + expected;
  else if (!problem.empty()) out += problem;
  else out += "syntax error";
  if (!context.empty()) out += " in " + (context == "value" ? std::string("a value") : "an " + context);
  if (!last.empty()) out += " (found '" + last + "')";
  else if (!problem.empty() && !expected.empty()) out += " (" + problem + ")";
  return out;
}

}  // namespace

json parse_text(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw ValidationError("", describe_parse_error(text, e));
  } catch (const json::out_of_range& e) {
    // A number too large for a double ("1e999"): nlohmann reports it without a position.
    std::string what = e.what();
    if (auto bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
    throw ValidationError("", "malformed JSON: " + what);
  }
}

std::string dump_manifest(const json& j) {
  try {
    return j.dump(4);
  } catch (const json::type_error& e) {
    std::string what = e.what();
    if (auto bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
    throw ValidationError("", "cannot be written as JSON: " + what);
  }
}

namespace {
const char* type_name(const json& j) { return j.type_name(); }
}  // namespace

void require_object(const json& j, const std::string& field) {
  if (!j.is_object())
    throw ValidationError(field, std::string("must be a JSON object, not ") + type_name(j));
}

void require_array(const json& j, const std::string& field) {
  if (!j.is_array()) throw ValidationError(field, std::string("must be a JSON list, not ") + type_name(j));
}

const json* find(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& require(const json& obj, std::string_view key, const std::string& field) {
  const json* j = find(obj, key);
  if (!j) throw ValidationError(member(field, key), "is required");
  return *j;
}

std::string as_string(const json& j, const std::string& field) {
  if (!j.is_string()) throw ValidationError(field, std::string("must be a string, not ") + type_name(j));
  return j.get<std::string>();
}

bool as_bool(const json& j, const std::string& field) {
  if (!j.is_boolean())
    throw ValidationError(field, std::string("must be true or false, not ") + type_name(j));
  return j.get<bool>();
}

int64_t as_integer(const json& j, const std::string& field, int64_t min, int64_t max) {
  const std::string range = " (" + std::to_string(min) + ".." + std::to_string(max) + ")";
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    // Compared as unsigned first: u may be beyond what int64_t holds.
    if (max < 0 || u > static_cast<uint64_t>(max) || static_cast<int64_t>(u) < min)
      throw ValidationError(field, std::to_string(u) + " is out of range" + range);
    return static_cast<int64_t>(u);
  }
  if (j.is_number_integer()) {
    int64_t v = j.get<int64_t>();
    if (v < min || v > max) throw ValidationError(field, std::to_string(v) + " is out of range" + range);
    return v;
  }
  throw ValidationError(field, std::string("must be an integer, not ") +
                                   (j.is_number_float() ? "a fractional number" : type_name(j)));
}

uint64_t as_unsigned(const json& j, const std::string& field) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer()) throw ValidationError(field, "must not be negative");
  throw ValidationError(field, std::string("must be a non-negative integer, not ") +
                                   (j.is_number_float() ? "a fractional number" : type_name(j)));
}

std::vector<std::string> as_string_array(const json& j, const std::string& field) {
  require_array(j, field);
  std::vector<std::string> out;
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) out.push_back(as_string(j[i], index(field, i)));
  return out;
}

std::string required_string(const json& obj, std::string_view key, const std::string& field) {
  return as_string(require(obj, key, field), member(field, key));
}

std::optional<std::string> optional_string(const json& obj, std::string_view key, const std::string& field) {
  const json* j = find(obj, key);
  if (!j) return std::nullopt;
  return as_string(*j, member(field, key));
}

std::optional<bool> optional_bool(const json& obj, std::string_view key, const std::string& field) {
  const json* j = find(obj, key);
  if (!j) return std::nullopt;
  return as_bool(*j, member(field, key));
}

NameValueList as_name_values(const json& j, const std::string& field) {
  require_array(j, field);
  NameValueList out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item = index(field, i);
    require_object(j[i], item);
    std::string name = required_string(j[i], "name", item);
    // The reference implementation reads a missing value as "".
    std::string value = optional_string(j[i], "value", item).value_or("");
    if (out.get(name))
      throw ValidationError(member(item, "name"), "\"" + name + "\" appears more than once");
    out.set(std::move(name), std::move(value));
  }
  return out;
}

json to_json(const NameValueList& list) {
  json out = json::array();
  for (const auto& item : list) out.push_back({{"name", item.name}, {"value", item.value}});
  return out;
}

void validate_annotations(const Annotations& annotations, const std::string& field) {
  std::set<std::string_view> seen;
  size_t i = 0;
  for (const auto& a : annotations) {
    const std::string item = member(index(field, i++), "name");
    validate_ac_identifier(a.name, item);
    if (!seen.insert(a.name).second) throw ValidationError(item, "\"" + a.name + "\" appears more than once");
  }
}

Annotations as_annotations(const json& j, const std::string& field) {
  Annotations out = as_name_values(j, field);
  validate_annotations(out, field);
  return out;
}

Labels optional_labels(const json& obj, std::string_view key, const std::string& field) {
  const json* j = find(obj, key);
  if (!j) return {};
  const std::string labels_field = member(field, key);
  Labels labels = as_name_values(*j, labels_field);
  validate_labels(labels, labels_field);
  return labels;
}

std::string kind_and_version(const json& manifest, const char* kind) {
  require_object(manifest, "");
  std::string ac_kind = required_string(manifest, "acKind", "");
  if (ac_kind != kind)
    throw ValidationError("acKind", "must be \"" + std::string(kind) + "\", not \"" + ac_kind + "\"");
  std::string version = required_string(manifest, "acVersion", "");
  if (!is_semver(version))
    throw ValidationError("acVersion", "\"" + version + "\" is not a semantic version such as 0.8.11");
  return version;
}

json unknown_members(const json& obj, std::initializer_list<std::string_view> known) {
  json out = json::object();
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) out[it.key()] = it.value();
  return out;
}

void merge_extra(json& out, const json& extra) {
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it)
    if (!out.contains(it.key())) out[it.key()] = it.value();
}

}  // namespace pod::aci::json_fields
