#include "stage1/common/entrypoint_main.hpp"

#include <cstdio>
#include <string_view>

#include "common/error.hpp"

namespace pod::stage1 {
namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

const Entrypoint* find_entrypoint(std::string_view entry, const FlavorEntrypoints& f, const AppEntrypoints& apps) {
  if (entry == "run") return &f.run;
  if (entry == "enter") return &f.enter;
  if (entry == "stop") return &f.stop;
  if (entry == "gc") return &f.gc;
  if (entry == "app-add" && apps.add) return &apps.add;
  if (entry == "app-start" && apps.start) return &apps.start;
  if (entry == "app-stop" && apps.stop) return &apps.stop;
  if (entry == "app-rm" && apps.rm) return &apps.rm;
  return nullptr;
}

}  // namespace

int entrypoint_main(const std::vector<std::string>& argv, const FlavorEntrypoints& flavor,
                    const AppEntrypoints& apps) {
  std::string_view self = argv.empty() ? std::string_view(flavor.binary) : base_name(argv[0]);
  std::vector<std::string> args(argv.size() > 1 ? argv.begin() + 1 : argv.end(), argv.end());
  std::string entry(self);
  if (!find_entrypoint(self, flavor, apps)) {
    if (args.empty()) {
      std::fprintf(stderr, "usage: %s run|enter|stop|gc ARGS (see Documentation/stage1-abi.md)\n",
                   flavor.binary.c_str());
      return flavor.usage_status;
    }
    entry = args.front();
    args.erase(args.begin());
  }
  const std::string prefix = "stage1-" + flavor.binary;
  const int failure = entry == "run" ? flavor.run_failure_status : flavor.other_failure_status;
  auto print = [&](const Error& e) {
    std::fprintf(stderr, "%s: %s: %s\n", prefix.c_str(), entry.c_str(), e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "%s: %s\n", prefix.c_str(), e.hint().c_str());
  };
  try {
    const Entrypoint* ep = find_entrypoint(entry, flavor, apps);
    if (!ep) throw UsageError("unknown entrypoint \"" + entry + "\" (run, enter, stop, gc)");
    return (*ep)(args);
  } catch (const UsageError& e) {
    print(e);
    return flavor.usage_status;
  } catch (const Error& e) {
    print(e);
    return failure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s: %s\n", prefix.c_str(), entry.c_str(), e.what());
    return failure;
  }
}

}  // namespace pod::stage1
