// The "app" section of image and pod manifests (appc spec aci.md, Image Manifest Schema).
#include <set>

#include "aci/json_fields.hpp"
#include "aci/manifest.hpp"
#include "aci/validation_error.hpp"

namespace pod::aci {
namespace {

using json = nlohmann::json;
using namespace json_fields;

bool is_absolute(const std::string& path) { return !path.empty() && path[0] == '/'; }

std::vector<std::string> parse_exec(const json& j, const std::string& field) {
  auto exec = as_string_array(j, field);
  if (exec.empty()) throw ValidationError(field, "must not be empty: give the program to run first");
  if (!is_absolute(exec[0]))
    throw ValidationError(index(field, 0), "\"" + exec[0] + "\" must be an absolute path in the image");
  return exec;
}

EventHandler parse_event_handler(const json& j, const std::string& field) {
  require_object(j, field);
  EventHandler h;
  h.name = required_string(j, "name", field);
  if (h.name != "pre-start" && h.name != "post-stop")
    throw ValidationError(member(field, "name"), "\"" + h.name + "\" is not an event: use pre-start or post-stop");
  h.exec = as_string_array(require(j, "exec", field), member(field, "exec"));
  if (h.exec.empty()) throw ValidationError(member(field, "exec"), "must not be empty");
  h.extra = unknown_members(j, {"name", "exec"});
  return h;
}

MountPoint parse_mount_point(const json& j, const std::string& field) {
  require_object(j, field);
  MountPoint m;
  m.name = required_string(j, "name", field);
  validate_ac_name(m.name, member(field, "name"));
  m.path = required_string(j, "path", field);
  if (!is_absolute(m.path)) throw ValidationError(member(field, "path"), "\"" + m.path + "\" must be an absolute path");
  m.read_only = optional_bool(j, "readOnly", field).value_or(false);
  m.extra = unknown_members(j, {"name", "path", "readOnly"});
  return m;
}

Port parse_port(const json& j, const std::string& field) {
  require_object(j, field);
  Port p;
  p.name = required_string(j, "name", field);
  validate_ac_name(p.name, member(field, "name"));
  p.protocol = required_string(j, "protocol", field);
  if (p.protocol.empty()) throw ValidationError(member(field, "protocol"), "must not be empty (tcp or udp)");
  p.port = static_cast<uint16_t>(as_integer(require(j, "port", field), member(field, "port"), 1, 65535));
  if (const json* count = find(j, "count"))
    p.count = static_cast<uint32_t>(as_integer(*count, member(field, "count"), 1, 65535));
  if (uint32_t{p.port} + p.count - 1 > 65535)
    throw ValidationError(member(field, "count"), "the range " + std::to_string(p.port) + ".." +
                                                      std::to_string(uint32_t{p.port} + p.count - 1) +
                                                      " goes past port 65535");
  p.socket_activated = optional_bool(j, "socketActivated", field).value_or(false);
  p.extra = unknown_members(j, {"name", "protocol", "port", "count", "socketActivated"});
  return p;
}

template <class T, class Parse>
std::vector<T> parse_list(const json& obj, std::string_view key, const std::string& field, Parse parse) {
  std::vector<T> out;
  const json* list = find(obj, key);
  if (!list) return out;
  const std::string list_field = member(field, key);
  require_array(*list, list_field);
  for (size_t i = 0; i < list->size(); ++i) out.push_back(parse((*list)[i], index(list_field, i)));
  return out;
}

// Names in a list must be unique; `what` names the kind of thing for the message.
template <class T>
void require_unique_names(const std::vector<T>& items, const std::string& field, const char* what) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < items.size(); ++i)
    if (!seen.insert(items[i].name).second)
      throw ValidationError(member(index(field, i), "name"),
                            std::string(what) + " \"" + items[i].name + "\" is defined more than once");
}

Environment parse_environment(const json& j, const std::string& field) {
  Environment env = as_name_values(j, field);
  size_t i = 0;
  for (const auto& var : env) {
    if (!is_c_identifier(var.name))
      throw ValidationError(member(index(field, i), "name"),
                            "\"" + var.name + "\" is not a valid variable name: letters, digits and _ only, "
                                              "not starting with a digit");
    ++i;
  }
  return env;
}

}  // namespace

const Isolator* App::find_isolator(std::string_view name) const {
  for (const auto& iso : isolators)
    if (iso.name == name) return &iso;
  return nullptr;
}

App App::from_json(const json& j, const std::string& field) {
  require_object(j, field);
  App app;
  if (const json* exec = find(j, "exec")) app.exec = parse_exec(*exec, member(field, "exec"));
  app.user = required_string(j, "user", field);
  if (app.user.empty()) throw ValidationError(member(field, "user"), "must not be empty (a user name or a UID)");
  app.group = required_string(j, "group", field);
  if (app.group.empty()) throw ValidationError(member(field, "group"), "must not be empty (a group name or a GID)");
  if (const json* gids = find(j, "supplementaryGIDs")) {
    const std::string gids_field = member(field, "supplementaryGIDs");
    require_array(*gids, gids_field);
    for (size_t i = 0; i < gids->size(); ++i)
      app.supplementary_gids.push_back(
          static_cast<uint32_t>(as_integer((*gids)[i], index(gids_field, i), 0, UINT32_MAX)));
  }
  app.working_directory = optional_string(j, "workingDirectory", field).value_or("");
  if (!app.working_directory.empty() && !is_absolute(app.working_directory))
    throw ValidationError(member(field, "workingDirectory"),
                          "\"" + app.working_directory + "\" must be an absolute path");
  app.event_handlers = parse_list<EventHandler>(j, "eventHandlers", field, parse_event_handler);
  require_unique_names(app.event_handlers, member(field, "eventHandlers"), "event handler");
  if (const json* env = find(j, "environment")) app.environment = parse_environment(*env, member(field, "environment"));
  app.isolators = parse_list<Isolator>(j, "isolators", field, Isolator::from_json);
  validate_isolator_list(app.isolators, member(field, "isolators"));
  app.mount_points = parse_list<MountPoint>(j, "mountPoints", field, parse_mount_point);
  require_unique_names(app.mount_points, member(field, "mountPoints"), "mount point");
  app.ports = parse_list<Port>(j, "ports", field, parse_port);
  require_unique_names(app.ports, member(field, "ports"), "port");
  app.extra = unknown_members(j, {"exec", "user", "group", "supplementaryGIDs", "workingDirectory", "eventHandlers",
                                  "environment", "isolators", "mountPoints", "ports"});
  return app;
}

json App::to_json() const {
  json out = json::object();
  if (!exec.empty()) out["exec"] = exec;
  out["user"] = user;
  out["group"] = group;
  if (!supplementary_gids.empty()) out["supplementaryGIDs"] = supplementary_gids;
  if (!working_directory.empty()) out["workingDirectory"] = working_directory;
  if (!event_handlers.empty()) {
    json handlers = json::array();
    for (const auto& h : event_handlers) {
      json item = {{"name", h.name}, {"exec", h.exec}};
      merge_extra(item, h.extra);
      handlers.push_back(std::move(item));
    }
    out["eventHandlers"] = std::move(handlers);
  }
  if (!environment.empty()) out["environment"] = json_fields::to_json(environment);
  if (!isolators.empty()) {
    json list = json::array();
    for (const auto& iso : isolators) list.push_back(iso.to_json());
    out["isolators"] = std::move(list);
  }
  if (!mount_points.empty()) {
    json list = json::array();
    for (const auto& m : mount_points) {
      json item = {{"name", m.name}, {"path", m.path}};
      if (m.read_only) item["readOnly"] = true;
      merge_extra(item, m.extra);
      list.push_back(std::move(item));
    }
    out["mountPoints"] = std::move(list);
  }
  if (!ports.empty()) {
    json list = json::array();
    for (const auto& p : ports) {
      json item = {{"name", p.name}, {"protocol", p.protocol}, {"port", p.port}};
      if (p.count != 1) item["count"] = p.count;
      if (p.socket_activated) item["socketActivated"] = true;
      merge_extra(item, p.extra);
      list.push_back(std::move(item));
    }
    out["ports"] = std::move(list);
  }
  merge_extra(out, extra);
  return out;
}

}  // namespace pod::aci
