// The four entrypoints of the fly flavor. Each returns the process's exit status.
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::fly {

[[nodiscard]] int run_pod(const std::vector<std::string>& args);
// Returns only on failure (it becomes the command).
[[nodiscard]] int enter_pod(const std::vector<std::string>& args);
[[nodiscard]] int stop_pod(const std::vector<std::string>& args);
[[nodiscard]] int gc_pod(const std::vector<std::string>& args);

// Dispatches on the name it was called by (run, enter, stop, gc: symlinks to one
// binary) or, called as itself, on the first argument.
[[nodiscard]] int fly_main(const std::vector<std::string>& argv);

}  // namespace pod::stage1::fly
