#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "stage0/pods/mount_holder.hpp"

using namespace pod::pods;

namespace {

// "State:" and "PPid:" of /proc/<pid>/status; empty when the process is gone.
std::string status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  return "";
}

bool gone_or_zombie(pid_t pid) {
  std::string state = status_field(pid, "State");
  return state.empty() || state.find('Z') != std::string::npos;
}

template <class Pred>
bool wait_until(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

}  // namespace

TEST_CASE("the mount namespace holder keeps nothing open and ends with its parent") {
  int to_test[2], to_parent[2];
  REQUIRE(pipe(to_test) == 0);
  REQUIRE(pipe(to_parent) == 0);
  pid_t parent = fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    // Plays stage0: forks the holder, reports its pid, then waits to be told to exit (as
    // stage1 does when the app has exited).
    close(to_test[0]);
    close(to_parent[1]);
    auto holder = fork_mount_namespace_holder();
    pid_t pid = holder.value_or(-1);
    if (write(to_test[1], &pid, sizeof pid) != sizeof pid) _exit(2);
    char c;
    (void)!read(to_parent[0], &c, 1);
    _exit(0);
  }
  close(to_test[1]);
  close(to_parent[0]);
  pid_t holder = -1;
  REQUIRE(read(to_test[0], &holder, sizeof holder) == sizeof holder);
  close(to_test[0]);
  REQUIRE(holder > 0);

  // It is the parent's child, in the parent's mount namespace, with no fd at all (it could
  // hold the pod's lock or a caller's pipe otherwise), named for ps.
  CHECK(status_field(holder, "PPid").find(std::to_string(parent)) != std::string::npos);
  struct stat a{}, b{};
  REQUIRE(stat(("/proc/" + std::to_string(parent) + "/ns/mnt").c_str(), &a) == 0);
  REQUIRE(stat(("/proc/" + std::to_string(holder) + "/ns/mnt").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  CHECK(wait_until([&] {
    std::error_code ec;
    auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(holder) + "/fd", ec);
    return !ec && it == std::filesystem::directory_iterator();
  }));
  CHECK(wait_until([&] { return status_field(holder, "Name").find("pod-mnt-holder") != std::string::npos; }));
  // Signals meant for `pod run` (a terminal's SIGINT) do not end it early: blocked, they stay
  // pending (kill queues them before it returns).
  CHECK(wait_until([&] { return std::stoull(status_field(holder, "SigBlk"), nullptr, 16) != 0; }));
  CHECK(kill(holder, SIGINT) == 0);
  const unsigned long long pending = std::stoull(status_field(holder, "ShdPnd"), nullptr, 16);
  CHECK((pending & (1ULL << (SIGINT - 1))) != 0);
  CHECK_FALSE(gone_or_zombie(holder));

  // The parent exits: the holder follows (PR_SET_PDEATHSIG), reaped by whoever adopts it.
  close(to_parent[1]);
  int st = 0;
  REQUIRE(waitpid(parent, &st, 0) == parent);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  CHECK(wait_until([&] { return gone_or_zombie(holder); }));
}
