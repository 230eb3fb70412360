#include "stage1/kvm/control_protocol.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace pod::stage1::kvm {

std::string encode_request(const ControlRequest& r) {
  nlohmann::json j;
  switch (r.op) {
    case ControlRequest::Op::stop: j["op"] = "stop"; break;
    case ControlRequest::Op::kill: j["op"] = "kill"; break;
    case ControlRequest::Op::enter:
      j["op"] = "enter";
      j["app"] = r.app;
      j["argv"] = r.argv;
      break;
  }
  return j.dump() + "\n";
}

ControlRequest decode_request(std::string_view line) {
  ControlRequest r;
  try {
    auto j = nlohmann::json::parse(line);
    const std::string op = j.at("op").get<std::string>();
    if (op == "stop") {
      r.op = ControlRequest::Op::stop;
    } else if (op == "kill") {
      r.op = ControlRequest::Op::kill;
    } else if (op == "enter") {
      r.op = ControlRequest::Op::enter;
      r.app = j.at("app").get<std::string>();
      r.argv = j.at("argv").get<std::vector<std::string>>();
    } else {
      throw Error("unknown operation \"" + op + "\"");
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("control request: ") + e.what());
  }
  return r;
}

std::string encode_frame(FrameType type, std::string_view data) {
  std::string out(1, static_cast<char>(type));
  const auto n = static_cast<uint32_t>(data.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(data);
  return out;
}

std::optional<Frame> FrameReader::next() {
  if (buffer_.size() < 5) return std::nullopt;
  uint32_t n = 0;
  for (int i = 1; i <= 4; ++i) n = (n << 8) | static_cast<unsigned char>(buffer_[static_cast<size_t>(i)]);
  if (buffer_.size() < 5 + static_cast<size_t>(n)) return std::nullopt;
  const char t = buffer_[0];
  if (t != 'o' && t != 'e' && t != 'x') throw Error(std::string("control channel: unknown frame type '") + t + "'");
  Frame f{static_cast<FrameType>(t), buffer_.substr(5, n)};
  buffer_.erase(0, 5 + static_cast<size_t>(n));
  return f;
}

}  // namespace pod::stage1::kvm
