// The image configuration (OCI image-spec config.json; Docker's is the same shape):
// what to run and how, and the layers' uncompressed digests (diff_ids).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::oci {

struct ImageConfig {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string user;                     // "", "name", "uid", "name:group", "uid:gid"
  std::vector<std::string> env;         // "NAME=VALUE" (the value may be empty)
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::string working_dir;
  std::vector<std::string> exposed_ports;  // "80/tcp", "53/udp", sorted
  std::vector<std::string> volumes;        // absolute paths, sorted
  std::string stop_signal;
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;  // validated digests, bottom layer first
};

inline constexpr size_t kMaxConfigSize = 8 << 20;

// Throws Error naming `what` and the field.
[[nodiscard]] ImageConfig parse_config(std::string_view text, const std::string& what);

// "80/tcp" -> {80, "tcp"}; a port without a protocol is tcp. Throws on anything else.
struct PortSpec {
  unsigned port = 0;
  std::string protocol;
};
[[nodiscard]] PortSpec parse_port(std::string_view text);

}  // namespace pod::oci
