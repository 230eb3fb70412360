// The control channel between the host's entrypoints (stop, enter, run's signal
// forwarding) and the guest's boot program: a virtio-serial port, which the host sees
// as a unix socket in the pod directory. A request is one JSON line; the guest answers
// with frames (a type byte, a 4-byte big-endian length, the data), ending with an
// exit frame. A serial port has no connections, so framing is all that delimits requests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::stage1::kvm {

struct ControlRequest {
  enum class Op { stop, kill, enter } op = Op::stop;
  std::string app;                // enter
  std::vector<std::string> argv;  // enter; empty: /bin/sh
};

[[nodiscard]] std::string encode_request(const ControlRequest& r);  // ends with '\n'
// Throws Error for a line that is no request.
[[nodiscard]] ControlRequest decode_request(std::string_view line);

enum class FrameType : char { out = 'o', err = 'e', exit = 'x' };

struct Frame {
  FrameType type = FrameType::exit;
  std::string data;  // exit: the status as decimal text
};

[[nodiscard]] std::string encode_frame(FrameType type, std::string_view data);

// Decodes frames from a byte stream that arrives in pieces.
class FrameReader {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, if any. Throws Error for an unknown frame type.
  [[nodiscard]] std::optional<Frame> next();

 private:
  std::string buffer_;
};

}  // namespace pod::stage1::kvm
