// The registration protocol between `pod run --mds-register` and pod-metadata-service:
// one JSON object a line over a unix stream socket, one request and one reply per
// connection. Documentation/metadata-service.md describes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pod::mds {

// rkt's port for apps (its `metadata-service --listen-port` default), kept so that rkt
// users' firewall rules stay right.
constexpr uint16_t kDefaultPort = 18112;
constexpr const char* kDefaultSocket = "/run/pod/metadata-svc.sock";
// Overrides kDefaultSocket for both the service and `pod run` (tests, several services).
constexpr const char* kSocketEnv = "POD_MDS_SOCKET";

// The socket path this process should use: $POD_MDS_SOCKET, else kDefaultSocket.
[[nodiscard]] std::string socket_path();

struct RegisterRequest {
  std::string uuid;
  std::string data_dir;  // where the pod lives: <data_dir>/pods/run/<uuid>
};

struct RegisterReply {
  std::string token;  // the secret path segment of the pod's AC_METADATA_URL
  uint16_t port = 0;  // where apps reach the service
};

[[nodiscard]] std::string encode_request(const RegisterRequest& r);
// Throws Error naming what is wrong with the line.
[[nodiscard]] RegisterRequest decode_request(std::string_view line);

[[nodiscard]] std::string encode_reply(const RegisterReply& r);
[[nodiscard]] std::string encode_refusal(const std::string& error);
// A refusal is thrown as Error with the service's message.
[[nodiscard]] RegisterReply decode_reply(std::string_view line);

}  // namespace pod::mds
