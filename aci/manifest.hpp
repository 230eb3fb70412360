// The image manifest and pod manifest of appc spec 0.8.11 (schema: ImageManifest,
// PodManifest), with the app section they share. parse() validates every rule of
// the spec and throws ValidationError naming the field; to_json() serialises back,
// and a parse/serialise round trip keeps everything, unknown fields included.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aci/isolators.hpp"
#include "aci/names.hpp"

namespace pod::aci {

inline constexpr const char* kAppcSpecVersion = "0.8.11";

struct EventHandler {
  std::string name;  // "pre-start" or "post-stop"
  std::vector<std::string> exec;
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept
};

struct MountPoint {
  std::string name;  // AC Name
  std::string path;  // absolute path in the app's rootfs
  bool read_only = false;
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept
};

struct Port {
  std::string name;  // AC Name
  std::string protocol;  // "tcp" or "udp"
  uint16_t port = 0;
  uint32_t count = 1;
  bool socket_activated = false;
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept
};

struct App {
  std::vector<std::string> exec;
  std::string user;   // required by the spec: a name or a number
  std::string group;  // required by the spec: a name or a number
  std::vector<uint32_t> supplementary_gids;
  std::string working_directory;
  std::vector<EventHandler> event_handlers;
  Environment environment;
  std::vector<Isolator> isolators;
  std::vector<MountPoint> mount_points;
  std::vector<Port> ports;
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept

  [[nodiscard]] const Isolator* find_isolator(std::string_view name) const;
  static App from_json(const nlohmann::json& j, const std::string& field);
  [[nodiscard]] nlohmann::json to_json() const;
};

struct Dependency {
  std::string image_name;              // AC Identifier
  std::optional<std::string> image_id;  // "sha512-..."
  Labels labels;
  std::optional<uint64_t> size;
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept
};

struct ImageManifest {
  std::string ac_version = kAppcSpecVersion;
  std::string name;  // AC Identifier
  Labels labels;
  std::optional<App> app;
  std::vector<Dependency> dependencies;
  std::vector<std::string> path_whitelist;  // absolute paths
  Annotations annotations;
  nlohmann::json extra = nlohmann::json::object();  // unknown top-level fields, kept

  // Throws ValidationError naming the field (a JSON path) and the rule; callers add the file
  // or image name with pod::with_context.
  static ImageManifest parse(std::string_view json_text);
  static ImageManifest from_json(const nlohmann::json& j);
  [[nodiscard]] nlohmann::json to_json() const;
  [[nodiscard]] std::string serialize() const;  // pretty JSON text, as written into ACIs
};

// Image identifier as it is written in a pod manifest.
struct RuntimeImage {
  std::string name;  // may be empty
  std::string id;    // "sha512-<hex>"
  Labels labels;
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept
};

// A mount of a volume into an app: "volume" names a pod volume, or appVolume defines one inline.
struct Mount {
  std::string volume;  // AC Name
  std::string path;    // the mount point's path (absolute)
  std::optional<nlohmann::json> app_volume;  // kept verbatim when present
  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept
};

struct Volume {
  std::string name;  // AC Name
  std::string kind;  // "host" or "empty"
  std::string source;  // host: absolute path on the host
  std::optional<bool> read_only;
  std::optional<bool> recursive;
  std::string mode = "0755";  // empty: permissions of the created directory
  int64_t uid = 0;            // empty: owner
  int64_t gid = 0;
  nlohmann::json extra = nlohmann::json::object();

  static Volume from_json(const nlohmann::json& j, const std::string& field);
  [[nodiscard]] nlohmann::json to_json() const;
  // rkt's --volume syntax: "NAME,kind=host,source=/x,readOnly=true,recursive=false".
  static Volume parse_flag(std::string_view text);
};

struct RuntimeApp {
  std::string name;  // AC Name, unique in the pod
  RuntimeImage image;
  std::optional<App> app;  // overrides the image's app section when present
  bool read_only_rootfs = false;
  std::vector<Mount> mounts;
  Annotations annotations;
  nlohmann::json extra = nlohmann::json::object();
};

struct ExposedPort {
  std::string name;  // the app port's name
  uint16_t host_port = 0;
  std::string host_ip;  // empty: all addresses
  nlohmann::json extra = nlohmann::json::object();
};

struct PodManifest {
  std::string ac_version = kAppcSpecVersion;
  std::vector<RuntimeApp> apps;
  std::vector<Volume> volumes;
  std::vector<Isolator> isolators;
  Annotations annotations;
  std::vector<ExposedPort> ports;
  Labels user_labels;           // rkt extension "userLabels"
  Annotations user_annotations;  // rkt extension "userAnnotations"
  nlohmann::json extra = nlohmann::json::object();

  static PodManifest parse(std::string_view json_text);
  static PodManifest from_json(const nlohmann::json& j);
  [[nodiscard]] nlohmann::json to_json() const;
  [[nodiscard]] std::string serialize() const;
  [[nodiscard]] const RuntimeApp* find_app(std::string_view name) const;
  [[nodiscard]] const Volume* find_volume(std::string_view name) const;
};

}  // namespace pod::aci
