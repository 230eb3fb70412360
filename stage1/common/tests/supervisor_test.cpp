#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "stage1/common/supervisor.hpp"

using namespace pod::stage1;

TEST_CASE("signals sent to the supervisor reach the app, and its status comes back") {
  SignalForwarder forwarder;
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    forwarder.restore_in_child();
    pause();  // until the forwarded SIGTERM's default action ends it
    _exit(0);
  }
  // Sent to ourselves while blocked: it waits, pending, until wait_forwarding takes it.
  REQUIRE(kill(getpid(), SIGTERM) == 0);
  int status = forwarder.wait_forwarding(child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
}

TEST_CASE("an app that exits on its own is reaped with its status") {
  SignalForwarder forwarder;
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(42);
  int status = forwarder.wait_forwarding(child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 42);
}
