// The app's /dev as the appc execution environment requires it: a fresh tmpfs with
// null zero full random urandom tty bound from the host's nodes, a private devpts
// instance with /dev/ptmx pointing into it, /dev/shm, the fd/stdin/stdout/stderr links,
// and /dev/console (the caller's terminal) when the pod is interactive.
#pragma once

namespace pod::stage1 {

struct DevOptions {
  bool console = false;  // bind the terminal on stdin as /dev/console
};

void setup_dev(int rootfd, const DevOptions& options);

}  // namespace pod::stage1
