#include <doctest/doctest.h>

#include <algorithm>

#include "common/error.hpp"
#include "stage2/capabilities.hpp"
#include "stage2/tests/app_with_isolators.hpp"

using namespace pod;
using namespace pod::stage2;
using namespace pod::stage2::testing;

namespace {
bool has(const CapabilityPlan& p, const char* name) {
  return std::binary_search(p.bounding.begin(), p.bounding.end(), capability_number(name));
}
}  // namespace

TEST_CASE("without isolators the bounding set is the spec's 14 defaults") {
  auto plan = plan_capabilities(app_with_isolators("[]"), "a", false);
  CHECK(plan.bounding.size() == 14);
  CHECK(has(plan, "CAP_NET_BIND_SERVICE"));
  CHECK(has(plan, "CAP_SYS_CHROOT"));
  CHECK_FALSE(has(plan, "CAP_SYS_ADMIN"));
  CHECK_FALSE(plan.ambient_for_non_root);
}

TEST_CASE("a retain set is exactly the bounding set") {
  auto plan = plan_capabilities(
      app_with_isolators(R"([{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_SYS_ADMIN","CAP_NET_RAW"]}}])"),
      "a", false);
  CHECK(plan.bounding.size() == 2);
  CHECK(has(plan, "CAP_SYS_ADMIN"));
  CHECK(has(plan, "CAP_NET_RAW"));
  CHECK(plan.ambient_for_non_root);
}

TEST_CASE("a remove set subtracts from the defaults") {
  auto plan = plan_capabilities(
      app_with_isolators(R"([{"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_MKNOD","CAP_SYS_ADMIN"]}}])"),
      "a", false);
  CHECK(plan.bounding.size() == 13);
  CHECK_FALSE(has(plan, "CAP_MKNOD"));
  CHECK(has(plan, "CAP_CHOWN"));
}

TEST_CASE("--disable-capabilities-restriction keeps everything") {
  auto plan = plan_capabilities(app_with_isolators("[]"), "a", true);
  CHECK(plan.unrestricted);
}

TEST_CASE("capability names map to the kernel's numbers") {
  CHECK(capability_number("CAP_CHOWN") == 0);
  CHECK(capability_number("CAP_NET_RAW") == 13);
  CHECK(capability_number("CAP_SYS_ADMIN") == 21);
  CHECK_THROWS_AS((void)capability_number("CAP_NOPE"), Error);
}
