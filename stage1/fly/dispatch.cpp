#include <cstdio>
#include <string_view>

#include "common/error.hpp"
#include "stage1/fly/entrypoints.hpp"

namespace pod::stage1::fly {
namespace {

// As rkt's stage1: every failure of stage1 itself is 254, which is also `pod run`'s
// status then (stage1 replaced it), distinct from any status of the app.
constexpr int kExitFailure = 254;

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

int dispatch(std::string_view entry, const std::vector<std::string>& args) {
  if (entry == "run") return run_pod(args);
  if (entry == "enter") return enter_pod(args);
  if (entry == "stop") return stop_pod(args);
  if (entry == "gc") return gc_pod(args);
  throw UsageError("unknown entrypoint \"" + std::string(entry) + "\" (run, enter, stop, gc)");
}

}  // namespace

int fly_main(const std::vector<std::string>& argv) {
  std::string_view self = argv.empty() ? "fly" : base_name(argv[0]);
  std::vector<std::string> args(argv.size() > 1 ? argv.begin() + 1 : argv.end(), argv.end());
  std::string entry(self);
  if (self != "run" && self != "enter" && self != "stop" && self != "gc") {
    if (args.empty()) {
      std::fprintf(stderr, "usage: fly run|enter|stop|gc ARGS (see Documentation/stage1-abi.md)\n");
      return kExitFailure;
    }
    entry = args.front();
    args.erase(args.begin());
  }
  auto print = [&](const Error& e) {
    std::fprintf(stderr, "stage1-fly: %s: %s\n", entry.c_str(), e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "stage1-fly: %s\n", e.hint().c_str());
  };
  try {
    return dispatch(entry, args);
  } catch (const UsageError& e) {
    print(e);
    return kExitFailure;
  } catch (const Error& e) {
    print(e);
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stage1-fly: %s: %s\n", entry.c_str(), e.what());
    return kExitFailure;
  }
}

}  // namespace pod::stage1::fly
