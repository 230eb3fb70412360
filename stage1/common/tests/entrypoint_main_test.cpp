#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "stage1/common/entrypoint_main.hpp"

using namespace pod::stage1;

namespace {

FlavorEntrypoints flavor(std::string& called) {
  auto named = [&called](const char* name) {
    return [&called, name](const std::vector<std::string>& args) {
      called = name;
      for (const auto& a : args) called += " " + a;
      return 0;
    };
  };
  return FlavorEntrypoints{"test", named("run"), named("enter"), named("stop"), named("gc"), 2, 254, 1};
}

}  // namespace

TEST_CASE("app entrypoints dispatch by name or first argument where the flavor has them") {
  std::string called;
  AppEntrypoints apps{[&](const std::vector<std::string>& a) { called = "add " + a.at(0); return 0; },
                      [&](const std::vector<std::string>&) { called = "start"; return 0; },
                      [&](const std::vector<std::string>&) { called = "stop-app"; return 0; },
                      [&](const std::vector<std::string>&) { called = "rm"; return 7; }};
  CHECK(entrypoint_main({"/x/app-add", "--app=a"}, flavor(called), apps) == 0);
  CHECK(called == "add --app=a");
  CHECK(entrypoint_main({"/x/test", "app-start", "--app=a"}, flavor(called), apps) == 0);
  CHECK(called == "start");
  CHECK(entrypoint_main({"/x/app-rm"}, flavor(called), apps) == 7);
  CHECK(entrypoint_main({"/x/stop", "u"}, flavor(called), apps) == 0);
  CHECK(called == "stop u");
}

TEST_CASE("a flavor without app entrypoints refuses them as unknown") {
  std::string called;
  CHECK(entrypoint_main({"/x/test", "app-add", "--app=a"}, flavor(called)) == 2);
  CHECK(called.empty());
}
