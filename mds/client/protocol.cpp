#include "mds/client/protocol.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/uuid.hpp"

namespace pod::mds {

using nlohmann::json;

std::string socket_path() {
  const char* env = std::getenv(kSocketEnv);
  return env && *env ? std::string(env) : std::string(kDefaultSocket);
}

std::string encode_request(const RegisterRequest& r) {
  return json{{"op", "register"}, {"uuid", r.uuid}, {"dataDir", r.data_dir}}.dump() + "\n";
}

RegisterRequest decode_request(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object()) throw Error("a registration request is not a JSON object");
  if (j.value("op", std::string()) != "register")
    throw Error("unknown registration request op \"" + j.value("op", std::string()) + "\"");
  RegisterRequest r;
  if (!j.contains("uuid") || !j["uuid"].is_string() || !j.contains("dataDir") || !j["dataDir"].is_string())
    throw Error("a registration request needs the strings uuid and dataDir");
  auto uuid = normalize_uuid(j["uuid"].get<std::string>());
  if (!uuid) throw Error("registration: \"" + j["uuid"].get<std::string>() + "\" is not a UUID");
  r.uuid = *uuid;
  r.data_dir = j["dataDir"].get<std::string>();
  if (r.data_dir.empty() || r.data_dir.front() != '/')
    throw Error("registration: dataDir \"" + r.data_dir + "\" is not an absolute path");
  return r;
}

std::string encode_reply(const RegisterReply& r) {
  return json{{"token", r.token}, {"port", r.port}}.dump() + "\n";
}

std::string encode_refusal(const std::string& error) { return json{{"error", error}}.dump() + "\n"; }

RegisterReply decode_reply(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object()) throw Error("the metadata service's reply is not a JSON object");
  if (j.contains("error") && j["error"].is_string())
    throw Error("the metadata service refused the pod: " + j["error"].get<std::string>());
  if (!j.contains("token") || !j["token"].is_string() || !j.contains("port") || !j["port"].is_number_unsigned())
    throw Error("the metadata service's reply has no token and port");
  RegisterReply r;
  r.token = j["token"].get<std::string>();
  r.port = j["port"].get<uint16_t>();
  return r;
}

}  // namespace pod::mds
