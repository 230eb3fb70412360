#include <cstdio>
#include <string_view>

#include "common/error.hpp"
#include "stage1/nspawn/entrypoints.hpp"

namespace pod::stage1::nspawn {
namespace {

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

int nspawn_main(const std::vector<std::string>& argv) {
  std::string_view self = argv.empty() ? "nspawn" : base_name(argv[0]);
  std::vector<std::string> args(argv.size() > 1 ? argv.begin() + 1 : argv.end(), argv.end());
  std::string entry(self);
  if (self != "run" && self != "enter" && self != "stop" && self != "gc") {
    if (args.empty()) {
      std::fprintf(stderr, "usage: nspawn run|enter|stop|gc ARGS (see Documentation/stage1-abi.md)\n");
      return 2;
    }
    entry = args.front();
    args.erase(args.begin());
  }
  auto print = [&](const Error& e) {
    std::fprintf(stderr, "stage1-nspawn: %s: %s\n", entry.c_str(), e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "stage1-nspawn: %s\n", e.hint().c_str());
  };
  try {
    return dispatch(entry, args);
  } catch (const UsageError& e) {
    print(e);
    return 2;
  } catch (const Error& e) {
    print(e);
    return entry == "run" ? 254 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stage1-nspawn: %s: %s\n", entry.c_str(), e.what());
    return entry == "run" ? 254 : 1;
  }
}

}  // namespace pod::stage1::nspawn
