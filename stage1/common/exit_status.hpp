// The app's exit status, written where stage0 (and `pod status`) read it.
#pragma once

#include <string>

#include "stage1/common/pod_layout.hpp"

namespace pod::stage1 {

// Writes stage1/rootfs/rkt/status/<app> atomically: the decimal exit status, or 128+N for
// an app killed by signal N (as shells report it).
void write_exit_status(const PodLayout& pod, const std::string& app, int exit_code);

// Reads it back; -1 when the app has not exited (no file).
[[nodiscard]] int read_exit_status(const PodLayout& pod, const std::string& app);

// Writes the `pid` file atomically.
void write_pid_file(const PodLayout& pod, int pid);

}  // namespace pod::stage1
