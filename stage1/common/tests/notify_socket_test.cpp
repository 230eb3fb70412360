#include <doctest/doctest.h>
#include <unistd.h>

#include "stage1/common/notify_socket.hpp"

using namespace pod::stage1;

TEST_CASE("a notification sent to an abstract listener arrives field by field") {
  auto l = NotifyListener::bind_abstract("pod-notify-test-" + std::to_string(getpid()));
  CHECK(l.address().front() == '@');
  CHECK_FALSE(l.receive().has_value());  // nothing pending yet
  REQUIRE(notify_send(l.address(), "STATUS=Container running.\nX_NSPAWN_LEADER_PID=4242"));
  auto fields = l.receive();
  REQUIRE(fields.has_value());
  CHECK(fields->size() == 2);
  CHECK(notify_value(*fields, "X_NSPAWN_LEADER_PID") == "4242");
  CHECK_FALSE(notify_value(*fields, "READY").has_value());
  CHECK_FALSE(notify_value(*fields, "X_NSPAWN_LEADER").has_value());
}

TEST_CASE("sending to nobody fails quietly") {
  CHECK_FALSE(notify_send("@pod-notify-test-nobody-" + std::to_string(getpid()), "READY=1"));
  CHECK_FALSE(notify_send("", "READY=1"));
  CHECK_FALSE(notify_send(std::string(200, 'x'), "READY=1"));
}

TEST_CASE("fields of a datagram skip empty lines") {
  auto f = notify_fields("READY=1\n\nSTATUS=up\n");
  CHECK(f == std::vector<std::string>{"READY=1", "STATUS=up"});
  CHECK(notify_value(f, "READY") == "1");
}
