#include "stage1/common/init/event_loop.hpp"

#include <sys/epoll.h>

#include <cerrno>

#include "common/error.hpp"

namespace pod::stage1::init {

EventLoop::EventLoop() : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_) throw_errno("pod init: creating the event loop (epoll_create1)");
}

void EventLoop::add(int fd, uint32_t events, Handler handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  check_sys(epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev), "pod init: watching fd " + std::to_string(fd));
  handlers_[fd] = std::move(handler);
}

void EventLoop::remove(int fd) {
  (void)epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);  // a closed fd left the set already
  handlers_.erase(fd);
}

void EventLoop::run_once(int timeout_ms) {
  epoll_event events[16];
  int n = epoll_wait(epoll_.get(), events, 16, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("pod init: waiting for events (epoll_wait)");
  }
  for (int i = 0; i < n; ++i) {
    // A handler may remove another fd of this batch: look it up each time.
    auto it = handlers_.find(events[i].data.fd);
    if (it == handlers_.end()) continue;
    Handler h = it->second;
    h(events[i].events);
  }
}

}  // namespace pod::stage1::init
