#include <doctest/doctest.h>

#include <cstdlib>

#include "common/error.hpp"
#include "mds/client/protocol.hpp"

using namespace pod::mds;

TEST_CASE("a registration request round-trips, UUID normalized") {
  std::string line = encode_request({"6F8E3C2A-1B2C-4D5E-8F90-A1B2C3D4E5F6", "/var/lib/pod"});
  CHECK(line.back() == '\n');
  RegisterRequest r = decode_request(line);
  CHECK(r.uuid == "6f8e3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
  CHECK(r.data_dir == "/var/lib/pod");
}

TEST_CASE("bad registration requests are refused with a reason") {
  CHECK_THROWS_WITH_AS((void)decode_request("[]"), doctest::Contains("not a JSON object"), pod::Error);
  CHECK_THROWS_WITH_AS((void)decode_request(R"({"op":"drop"})"), doctest::Contains("unknown"), pod::Error);
  CHECK_THROWS_WITH_AS((void)decode_request(R"({"op":"register","uuid":"x","dataDir":"/d"})"),
                       doctest::Contains("not a UUID"), pod::Error);
  CHECK_THROWS_WITH_AS(
      (void)decode_request(R"({"op":"register","uuid":"6f8e3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6","dataDir":"rel"})"),
      doctest::Contains("absolute"), pod::Error);
}

TEST_CASE("replies: a token and port, or the service's refusal") {
  RegisterReply r = decode_reply(encode_reply({"abc", 18112}));
  CHECK(r.token == "abc");
  CHECK(r.port == 18112);
  CHECK_THROWS_WITH_AS((void)decode_reply(encode_refusal("only root")), doctest::Contains("refused the pod: only root"),
                       pod::Error);
  CHECK_THROWS_AS((void)decode_reply("garbage"), pod::Error);
}

TEST_CASE("the socket path: $POD_MDS_SOCKET, else rkt's place under /run/pod") {
  ::unsetenv(kSocketEnv);
  CHECK(socket_path() == "/run/pod/metadata-svc.sock");
  ::setenv(kSocketEnv, "/tmp/x.sock", 1);
  CHECK(socket_path() == "/tmp/x.sock");
  ::unsetenv(kSocketEnv);
}
