// Pod volumes (appc spec pods.md and types/volume.go semantics) and rkt's --volume flag.
#include <charconv>

#include "aci/json_fields.hpp"
#include "aci/manifest.hpp"
#include "aci/validation_error.hpp"
#include "common/strings.hpp"

namespace pod::aci {
namespace {

using json = nlohmann::json;
using namespace json_fields;

constexpr int64_t kMaxId = 4294967294;  // (uid_t)-1 means "no change" to the kernel

void validate_mode(const std::string& mode, const std::string& field) {
  bool octal = !mode.empty() && mode.size() <= 5 &&
               mode.find_first_not_of("01234567") == std::string::npos;
  unsigned value = 0;
  if (octal) (void)std::from_chars(mode.data(), mode.data() + mode.size(), value, 8);  // digits checked above
  if (!octal || value > 07777)
    throw ValidationError(field, "\"" + mode + "\" is not a permission mode: write octal digits such as 0755");
}

// rkt reads flag booleans as Go's strconv.ParseBool does.
std::optional<bool> parse_flag_bool(std::string_view text) {
  for (auto t : {"1", "t", "T", "TRUE", "true", "True"})
    if (text == t) return true;
  for (auto f : {"0", "f", "F", "FALSE", "false", "False"})
    if (text == f) return false;
  return std::nullopt;
}

}  // namespace

Volume Volume::from_json(const json& j, const std::string& field) {
  require_object(j, field);
  Volume v;
  v.name = required_string(j, "name", field);
  validate_ac_name(v.name, member(field, "name"));
  v.kind = required_string(j, "kind", field);
  v.read_only = optional_bool(j, "readOnly", field);
  v.recursive = optional_bool(j, "recursive", field);
  auto source = optional_string(j, "source", field);
  auto mode = optional_string(j, "mode", field);
  const json* uid = find(j, "uid");
  const json* gid = find(j, "gid");
  if (v.kind == "host") {
    if (!source || source->empty())
      throw ValidationError(member(field, "source"), "is required for a host volume: the directory on the host");
    if ((*source)[0] != '/')
      throw ValidationError(member(field, "source"), "\"" + *source + "\" must be an absolute path");
    v.source = *source;
    // The host directory keeps its own permissions; saying otherwise would be silently ignored.
    for (const char* key : {"mode", "uid", "gid"})
      if (find(j, key)) throw ValidationError(member(field, key), "cannot be set for a host volume");
  } else if (v.kind == "empty") {
    if (source && !source->empty())
      throw ValidationError(member(field, "source"), "cannot be set for an empty volume");
    if (mode) {
      validate_mode(*mode, member(field, "mode"));
      v.mode = *mode;
    }
    if (uid) v.uid = as_integer(*uid, member(field, "uid"), 0, kMaxId);
    if (gid) v.gid = as_integer(*gid, member(field, "gid"), 0, kMaxId);
  } else {
    throw ValidationError(member(field, "kind"), "\"" + v.kind + "\" is not a volume kind: use host or empty");
  }
  v.extra = unknown_members(j, {"name", "kind", "source", "readOnly", "recursive", "mode", "uid", "gid"});
  return v;
}

json Volume::to_json() const {
  json out = {{"name", name}, {"kind", kind}};
  if (kind == "host") out["source"] = source;
  if (read_only) out["readOnly"] = *read_only;
  if (recursive) out["recursive"] = *recursive;
  if (kind == "empty") {
    out["mode"] = mode;
    out["uid"] = uid;
    out["gid"] = gid;
  }
  merge_extra(out, extra);
  return out;
}

Volume Volume::parse_flag(std::string_view text) {
  const std::string flag = "--volume \"" + std::string(text) + "\"";
  auto parts = split(text, ',');
  json j = json::object();
  j["name"] = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto& part = parts[i];
    size_t eq = part.find('=');
    if (eq == std::string::npos)
      throw UsageError(flag + ": \"" + part + "\" is not KEY=VALUE (keys: kind, source, readOnly, recursive, "
                                              "mode, uid, gid)");
    std::string key = part.substr(0, eq);
    std::string value = part.substr(eq + 1);
    if (j.contains(key)) throw UsageError(flag + ": \"" + key + "\" is given more than once");
    if (key == "kind" || key == "source" || key == "mode") {
      j[key] = value;
    } else if (key == "readOnly" || key == "recursive") {
      auto b = parse_flag_bool(value);
      if (!b) throw UsageError(flag + ": " + key + " must be true or false, not \"" + value + "\"");
      j[key] = *b;
    } else if (key == "uid" || key == "gid") {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size())
        throw UsageError(flag + ": " + key + " must be a number, not \"" + value + "\"");
      j[key] = n;
    } else {
      throw UsageError(flag + ": unknown key \"" + key + "\" (keys: kind, source, readOnly, recursive, mode, uid, gid)");
    }
  }
  if (!j.contains("kind")) throw UsageError(flag + ": kind is required (kind=host or kind=empty)");
  try {
    return from_json(j, "");
  } catch (const ValidationError& e) {
    UsageError usage(flag + ": " + e.message());
    usage.set_hint("example: --volume data,kind=host,source=/srv/data,readOnly=true");
    throw usage;
  }
}

}  // namespace pod::aci
