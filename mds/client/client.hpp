// `pod run --mds-register`'s side of registration (protocol.hpp).
#pragma once

#include <string>

#include "mds/client/protocol.hpp"

namespace pod::mds {

// Registers the pod with the service listening on `socket`. Throws Error naming the
// socket, with a hint to start `pod metadata-service`, when none answers.
[[nodiscard]] RegisterReply register_pod(const std::string& socket, const RegisterRequest& request);

// Throws as register_pod does when nothing accepts on `socket`: `pod run` checks before it
// prepares the pod, so that a missing service leaves no pod behind.
void check_listening(const std::string& socket);

}  // namespace pod::mds
