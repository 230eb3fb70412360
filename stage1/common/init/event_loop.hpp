// pod init's main loop: every source of work is a file descriptor in one epoll set
// (signals through a signalfd, the apps' stdout/stderr pipes, and later a control
// socket for adding apps to a running pod), so adding a source never means another
// thread or a second loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "common/fd.hpp"

namespace pod::stage1::init {

class EventLoop {
 public:
  using Handler = std::function<void(uint32_t events)>;

  EventLoop();
  // Watches `fd` (EPOLLIN and the like) until remove(); the loop does not own it.
  void add(int fd, uint32_t events, Handler handler);
  void remove(int fd);
  // Waits up to `timeout_ms` (-1: without limit) and runs the handlers of the ready fds.
  void run_once(int timeout_ms);
  [[nodiscard]] bool empty() const noexcept { return handlers_.empty(); }

 private:
  UniqueFd epoll_;
  std::map<int, Handler> handlers_;
};

}  // namespace pod::stage1::init
