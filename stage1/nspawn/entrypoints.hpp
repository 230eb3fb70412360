// The stage1-nspawn entrypoints (Documentation/stage1-abi.md, Documentation/stage1-nspawn.md).
#pragma once

#include <string>
#include <vector>

namespace pod::stage1::nspawn {

[[nodiscard]] int run_pod(const std::vector<std::string>& args);
[[nodiscard]] int enter_pod(const std::vector<std::string>& args);
[[nodiscard]] int stop_pod(const std::vector<std::string>& args);
[[nodiscard]] int gc_pod(const std::vector<std::string>& args);
// The app entrypoints of a mutable pod (app.cpp): --app=NAME [--debug] [--uuid=UUID].
[[nodiscard]] int app_add_pod(const std::vector<std::string>& args);
[[nodiscard]] int app_start_pod(const std::vector<std::string>& args);
[[nodiscard]] int app_stop_pod(const std::vector<std::string>& args);
[[nodiscard]] int app_rm_pod(const std::vector<std::string>& args);

// The multi-call binary's main: dispatches on argv[0]'s name or the first argument.
[[nodiscard]] int nspawn_main(const std::vector<std::string>& argv);

}  // namespace pod::stage1::nspawn
