// sd_notify(3)'s datagram protocol by hand (the stage1 binaries are static and cannot load
// libsystemd): sending a state ("READY=1") to a $NOTIFY_SOCKET, and listening on a socket
// of our own that a child (systemd-nspawn, an app) is told to notify instead.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"

namespace pod::stage1 {

// Sends `message` as one datagram to `socket` ("/path" or "@abstract"). False when the
// socket is unusable (the listener is gone); the caller decides whether that matters.
[[nodiscard]] bool notify_send(const std::string& socket, std::string_view message);

// The assignments of one notification ("READY=1\nSTATUS=x" -> {"READY=1", "STATUS=x"}).
[[nodiscard]] std::vector<std::string> notify_fields(std::string_view datagram);
// The value of NAME= in a notification's fields, if present.
[[nodiscard]] std::optional<std::string> notify_value(const std::vector<std::string>& fields,
                                                      std::string_view name);

class NotifyListener {
 public:
  // An abstract socket "@<name>" (nothing on disk to clean up after a kill -9; abstract
  // names live in the network namespace, where the notifying parent process stays).
  [[nodiscard]] static NotifyListener bind_abstract(const std::string& name);

  [[nodiscard]] int fd() const { return fd_.get(); }
  // What to put in the child's NOTIFY_SOCKET.
  [[nodiscard]] const std::string& address() const { return address_; }
  // The fields of the next pending datagram; nullopt when none is pending (non-blocking).
  [[nodiscard]] std::optional<std::vector<std::string>> receive() const;

 private:
  UniqueFd fd_;
  std::string address_;
};

}  // namespace pod::stage1
