#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/kvm/control_protocol.hpp"

using namespace pod::stage1::kvm;

TEST_CASE("requests are one JSON line each") {
  ControlRequest r;
  r.op = ControlRequest::Op::enter;
  r.app = "web";
  r.argv = {"/bin/sh", "-c", "echo a\nb"};
  const std::string line = encode_request(r);
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  const ControlRequest back = decode_request(line.substr(0, line.size() - 1));
  CHECK(back.op == ControlRequest::Op::enter);
  CHECK(back.app == "web");
  CHECK(back.argv == r.argv);
  CHECK(decode_request(R"({"op":"stop"})").op == ControlRequest::Op::stop);
  CHECK_THROWS_AS((void)decode_request(R"({"op":"reboot"})"), pod::Error);
  CHECK_THROWS_AS((void)decode_request("not json"), pod::Error);
}

TEST_CASE("frames are decoded from a stream that arrives in pieces") {
  const std::string stream = encode_frame(FrameType::out, "hello") + encode_frame(FrameType::err, "") +
                             encode_frame(FrameType::exit, "3");
  FrameReader reader;
  std::vector<Frame> got;
  for (char c : stream) {
    reader.feed(std::string_view(&c, 1));
    while (auto f = reader.next()) got.push_back(*f);
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0].type == FrameType::out);
  CHECK(got[0].data == "hello");
  CHECK(got[1].data.empty());
  CHECK(got[2].type == FrameType::exit);
  CHECK(got[2].data == "3");
  FrameReader bad;
  bad.feed(std::string("?\0\0\0\0", 5));
  CHECK_THROWS_AS((void)bad.next(), pod::Error);
}
