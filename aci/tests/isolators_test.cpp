// Quantities and every isolator the spec and rkt define: accepted values, rejected ones
// with the field and rule named, and lossless serialisation.
#include <doctest/doctest.h>

#include <cerrno>

#include "aci/isolators.hpp"
#include "aci/validation_error.hpp"

using namespace pod::aci;
using nlohmann::json;

namespace {

Isolator isolator(const std::string& name, const json& value) {
  return Isolator::from_json(json{{"name", name}, {"value", value}}, "app.isolators[1]");
}

// "field: rule" of the ValidationError that parsing the isolator throws.
std::string rejection(const std::string& name, const json& value) {
  try {
    (void)isolator(name, value);
  } catch (const ValidationError& e) {
    return e.what();
  }
  FAIL("accepted " << name << " " << value.dump());
  return {};
}

}  // namespace

TEST_CASE("quantities") {
  CHECK(Quantity::parse("500m", "f").milli() == 500);
  CHECK(Quantity::parse("1", "f").milli() == 1000);
  CHECK(Quantity::parse("0.3", "f").milli() == 300);
  CHECK(Quantity::parse("1.5", "f").value() == 2);  // whole units round up
  CHECK(Quantity::parse("1k", "f").value() == 1000);
  CHECK(Quantity::parse("1K", "f").value() == 1000);
  CHECK(Quantity::parse("1G", "f").value() == 1000000000);
  CHECK(Quantity::parse("2G", "f").value() == 2000000000);
  CHECK(Quantity::parse("1Ki", "f").value() == 1024);
  CHECK(Quantity::parse("512Mi", "f").value() == 512LL * 1024 * 1024);
  CHECK(Quantity::parse("1Ti", "f").value() == 1LL << 40);
  CHECK(Quantity::parse("1e3", "f").value() == 1000);
  CHECK(Quantity::parse("2P", "f").value() == 2000000000000000LL);
  CHECK(Quantity::parse("1Pi", "f").value() == 1LL << 50);
  // The spec's example: the same value three ways.
  CHECK(Quantity::parse("128974848", "f").value() == Quantity::parse("125952Ki", "f").value());
  CHECK(Quantity::parse("123Mi", "f").value() == 128974848);
  CHECK(Quantity::parse("1Mi", "f").text == "1Mi");

  for (const char* bad : {"", "m", "-1", "1x", "1 G", "1GB", "G", "1.2.3", "1Gi ", " 1", "10E", "1e", "1ex"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS((void)Quantity::parse(bad, "f"), ValidationError);
  }
  // Too large for 64-bit milli-units.
  CHECK_THROWS_AS((void)Quantity::parse("10E", "f"), ValidationError);
  CHECK_THROWS_AS((void)Quantity::parse("99999999999999999999999", "f"), ValidationError);
  try {
    (void)Quantity::parse("1GB", "app.isolators[1].value.limit");
    FAIL("accepted");
  } catch (const ValidationError& e) {
    CHECK(e.field() == "app.isolators[1].value.limit");
    CHECK(std::string(e.what()).find("unknown suffix \"GB\"") != std::string::npos);
  }
}

TEST_CASE("resource/cpu and resource/memory") {
  auto cpu = isolator("resource/cpu", {{"request", "250m"}, {"limit", "500m"}});
  auto* r = std::get_if<ResourceIsolator>(&cpu.parsed);
  REQUIRE(r);
  CHECK(r->request->milli() == 250);
  CHECK(r->limit->milli() == 500);
  CHECK(!r->device);

  auto mem = isolator("resource/memory", {{"limit", "1G"}});
  r = std::get_if<ResourceIsolator>(&mem.parsed);
  REQUIRE(r);
  CHECK(!r->request);
  CHECK(r->limit->value() == 1000000000);
  (void)isolator("resource/memory", {{"request", "1G"}});

  CHECK(rejection("resource/memory", {{"limit", "1GB"}}).starts_with("app.isolators[1].value.limit: \"1GB\""));
  CHECK(rejection("resource/cpu", {{"limit", 2}}) == "app.isolators[1].value.limit: must be a string, not number");
  CHECK(rejection("resource/cpu", json::object()) ==
        "app.isolators[1].value: needs a \"request\" or a \"limit\" (or both)");
  CHECK(rejection("resource/memory", {{"request", "2G"}, {"limit", "1G"}}) ==
        "app.isolators[1].value.request: \"2G\" is more than the limit \"1G\"");
  CHECK(rejection("resource/cpu", "500m") == "app.isolators[1].value: must be a JSON object, not string");
  CHECK(rejection("resource/cpu", nullptr) == "app.isolators[1].value: is required for resource/cpu");
}

TEST_CASE("network and block bandwidth, block iops") {
  auto net = isolator("resource/network-bandwidth", {{"default", true}, {"limit", "1G"}});
  REQUIRE(std::get_if<ResourceIsolator>(&net.parsed));
  CHECK(std::get<ResourceIsolator>(net.parsed).is_default == true);
  (void)isolator("resource/block-bandwidth", {{"default", true}, {"limit", "2M"}});
  (void)isolator("resource/block-iops", {{"default", true}, {"limit", "1000"}});
  auto dev = isolator("resource/block-iops", {{"device", "/dev/sda"}, {"limit", "100"}});
  CHECK(std::get<ResourceIsolator>(dev.parsed).device == "/dev/sda");

  CHECK(rejection("resource/block-bandwidth", {{"default", true}}) == "app.isolators[1].value.limit: is required");
  CHECK(rejection("resource/block-bandwidth", {{"limit", "2M"}}).starts_with("app.isolators[1].value.default: must be true"));
  CHECK(rejection("resource/network-bandwidth", {{"default", false}, {"limit", "1M"}})
            .starts_with("app.isolators[1].value.default: must be true"));
  CHECK(rejection("resource/block-iops", {{"device", "sda"}, {"limit", "1"}})
            .starts_with("app.isolators[1].value.device: must be an absolute path"));
  CHECK(rejection("resource/network-bandwidth", {{"device", "/dev/eth0"}, {"limit", "1"}})
            .starts_with("app.isolators[1].value.device: is not a parameter"));
  CHECK(rejection("resource/block-iops", {{"default", "yes"}, {"limit", "1"}}) ==
        "app.isolators[1].value.default: must be true or false, not string");
}

TEST_CASE("capabilities retain and remove sets") {
  auto retain = isolator("os/linux/capabilities-retain-set", {{"set", {"CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE"}}});
  REQUIRE(std::get_if<CapabilitiesIsolator>(&retain.parsed));
  CHECK(std::get<CapabilitiesIsolator>(retain.parsed).set ==
        std::vector<std::string>{"CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE"});
  (void)isolator("os/linux/capabilities-remove-set", {{"set", {"CAP_SYS_CHROOT", "CAP_MKNOD"}}});

  CHECK(rejection("os/linux/capabilities-retain-set", {{"set", json::array()}}) ==
        "app.isolators[1].value.set: must not be empty");
  CHECK(rejection("os/linux/capabilities-retain-set", json::object()) == "app.isolators[1].value.set: is required");
  CHECK(rejection("os/linux/capabilities-remove-set", {{"set", {"CAP_CHOWN", "NET_ADMIN"}}}) ==
        "app.isolators[1].value.set[1]: \"NET_ADMIN\" is not a Linux capability (names look like CAP_NET_ADMIN)");
  CHECK(rejection("os/linux/capabilities-remove-set", {{"set", {"cap_chown"}}}).find("not a Linux capability") !=
        std::string::npos);
  CHECK(rejection("os/linux/capabilities-remove-set", {{"set", {1}}}) ==
        "app.isolators[1].value.set[0]: must be a string, not number");
}

TEST_CASE("capability names follow the kernel's numbering") {
  CHECK(capability_names().front() == "CAP_CHOWN");
  CHECK(capability_names()[21] == "CAP_SYS_ADMIN");
  CHECK(capability_names()[40] == "CAP_CHECKPOINT_RESTORE");
  CHECK(is_capability_name("CAP_BPF"));
  CHECK(!is_capability_name("CAP_UNKNOWN"));
}

TEST_CASE("seccomp retain and remove sets") {
  auto remove = isolator("os/linux/seccomp-remove-set",
                         {{"errno", "ENOTSUP"}, {"set", {"clock_adjtime", "clock_settime", "reboot"}}});
  auto* s = std::get_if<SeccompIsolator>(&remove.parsed);
  REQUIRE(s);
  CHECK(s->errno_name == "ENOTSUP");
  CHECK(s->set.size() == 3);
  auto retain = isolator("os/linux/seccomp-retain-set",
                         {{"errno", ""}, {"set", {"@rkt/default-whitelist", "@docker/default-whitelist", "umount2"}}});
  s = std::get_if<SeccompIsolator>(&retain.parsed);
  REQUIRE(s);
  CHECK(!s->errno_name);  // empty errno: blocked calls kill with SIGSYS
  (void)isolator("os/linux/seccomp-retain-set", {{"set", {"@appc.io/all"}}});
  (void)isolator("os/linux/seccomp-remove-set", {{"set", {"@appc.io/empty"}}, {"errno", "EPERM"}});

  CHECK(rejection("os/linux/seccomp-retain-set", {{"set", json::array()}}) ==
        "app.isolators[1].value.set: must not be empty");
  CHECK(rejection("os/linux/seccomp-retain-set", {{"set", {"read", "Write"}}})
            .starts_with("app.isolators[1].value.set[1]: \"Write\" is neither a syscall name"));
  CHECK(rejection("os/linux/seccomp-retain-set", {{"set", {"@"}}}).find("neither a syscall") != std::string::npos);
  CHECK(rejection("os/linux/seccomp-retain-set", {{"set", {"@nogroup"}}}).find("neither a syscall") !=
        std::string::npos);
  CHECK(rejection("os/linux/seccomp-remove-set", {{"set", {"reboot"}}, {"errno", "eperm"}}) ==
        "app.isolators[1].value.errno: \"eperm\" is not an errno name (upper case, such as EPERM)");
  CHECK(rejection("os/linux/seccomp-remove-set", {{"set", {"reboot"}}, {"errno", "EFOO"}}).find("not an errno") !=
        std::string::npos);
}

TEST_CASE("errno names") {
  CHECK(errno_from_name("EPERM") == EPERM);
  CHECK(errno_from_name("ENOSYS") == ENOSYS);
  CHECK(errno_from_name("ENOTSUP") == ENOTSUP);
  CHECK(errno_from_name("EOPNOTSUPP") == EOPNOTSUPP);
  CHECK(errno_from_name("EWOULDBLOCK") == EAGAIN);
  CHECK(errno_from_name("EHWPOISON") == EHWPOISON);
  CHECK(!errno_from_name("eperm"));
  CHECK(!errno_from_name(""));
  CHECK(!errno_from_name("SIGKILL"));
}

TEST_CASE("no-new-privileges, oom-score-adj and cpu-shares") {
  CHECK(std::get<BoolIsolator>(isolator("os/linux/no-new-privileges", true).parsed).value);
  CHECK(!std::get<BoolIsolator>(isolator("os/linux/no-new-privileges", false).parsed).value);
  CHECK(rejection("os/linux/no-new-privileges", "true") ==
        "app.isolators[1].value: must be true or false, not string");

  CHECK(std::get<IntIsolator>(isolator("os/linux/oom-score-adj", -1000).parsed).value == -1000);
  CHECK(std::get<IntIsolator>(isolator("os/linux/oom-score-adj", 1000).parsed).value == 1000);
  CHECK(rejection("os/linux/oom-score-adj", 1001) == "app.isolators[1].value: 1001 is out of range (-1000..1000)");
  CHECK(rejection("os/linux/oom-score-adj", -1001) == "app.isolators[1].value: -1001 is out of range (-1000..1000)");
  CHECK(rejection("os/linux/oom-score-adj", 1.5) == "app.isolators[1].value: must be an integer, not a fractional number");

  CHECK(std::get<IntIsolator>(isolator("os/linux/cpu-shares", 2).parsed).value == 2);
  CHECK(std::get<IntIsolator>(isolator("os/linux/cpu-shares", 262144).parsed).value == 262144);
  CHECK(rejection("os/linux/cpu-shares", 1) == "app.isolators[1].value: 1 is out of range (2..262144)");
  CHECK(rejection("os/linux/cpu-shares", 18446744073709551615ULL).find("out of range") != std::string::npos);
}

TEST_CASE("isolator names and unknown isolators") {
  auto sysctl = isolator("os/unix/sysctl", {{"net.ipv4.tcp_mtu_probing", "1"}});
  CHECK(std::holds_alternative<std::monostate>(sysctl.parsed));
  CHECK(sysctl.to_json() == json{{"name", "os/unix/sysctl"}, {"value", {{"net.ipv4.tcp_mtu_probing", "1"}}}});
  auto null_value = Isolator::from_json({{"name", "example.com/flag"}, {"value", nullptr}}, "isolators[0]");
  CHECK(null_value.to_json() == json{{"name", "example.com/flag"}, {"value", nullptr}});
  CHECK_THROWS_WITH_AS((void)Isolator::from_json({{"name", "example.com/flag"}}, "isolators[0]"),
                       "isolators[0].value: is required", ValidationError);
  CHECK_THROWS_WITH_AS((void)Isolator::from_json({{"value", 1}}, "isolators[0]"), "isolators[0].name: is required",
                       ValidationError);
  CHECK_THROWS_WITH_AS((void)Isolator::from_json({{"name", "Resource/CPU"}}, "isolators[0]"),
                       doctest::Contains("isolators[0].name: \"Resource/CPU\" is not a valid AC Identifier"),
                       ValidationError);
  CHECK_THROWS_WITH_AS((void)Isolator::from_json(json::array(), "isolators[0]"),
                       "isolators[0]: must be a JSON object, not array", ValidationError);
}

TEST_CASE("isolators serialise exactly as written") {
  json value = {{"request", "250m"}, {"limit", "0.5"}, {"x-vendor", {1, 2}}};
  auto iso = isolator("resource/cpu", value);
  CHECK(iso.to_json() == json{{"name", "resource/cpu"}, {"value", value}});
  auto again = Isolator::from_json(iso.to_json(), "x");
  CHECK(again.to_json() == iso.to_json());
  json with_extra = {{"name", "os/linux/no-new-privileges"}, {"value", true}, {"x-note", "kept"}};
  CHECK(Isolator::from_json(with_extra, "x").to_json() == with_extra);
}

TEST_CASE("isolator lists: no duplicates, retain and remove sets exclude each other") {
  auto parse_all = [](const json& list) {
    std::vector<Isolator> out;
    for (size_t i = 0; i < list.size(); ++i)
      out.push_back(Isolator::from_json(list[i], "app.isolators[" + std::to_string(i) + "]"));
    validate_isolator_list(out, "app.isolators");
  };
  json caps_retain = {{"name", "os/linux/capabilities-retain-set"}, {"value", {{"set", {"CAP_KILL"}}}}};
  json caps_remove = {{"name", "os/linux/capabilities-remove-set"}, {"value", {{"set", {"CAP_KILL"}}}}};
  json sc_retain = {{"name", "os/linux/seccomp-retain-set"}, {"value", {{"set", {"read"}}}}};
  json sc_remove = {{"name", "os/linux/seccomp-remove-set"}, {"value", {{"set", {"reboot"}}}}};
  json mem = {{"name", "resource/memory"}, {"value", {{"limit", "1G"}}}};
  json iops = {{"name", "resource/block-iops"}, {"value", {{"device", "/dev/sda"}, {"limit", "10"}}}};
  json iops2 = {{"name", "resource/block-iops"}, {"value", {{"device", "/dev/sdb"}, {"limit", "10"}}}};
  json unknown = {{"name", "example.com/x"}, {"value", 1}};

  parse_all(json{caps_retain, sc_remove, mem, iops, iops2, unknown, unknown, caps_retain});
  CHECK_THROWS_WITH_AS(parse_all(json{caps_retain, mem, caps_remove}),
                       "app.isolators[2].name: \"os/linux/capabilities-remove-set\" cannot be used together with "
                       "\"os/linux/capabilities-retain-set\": keep one of them",
                       ValidationError);
  CHECK_THROWS_WITH_AS(parse_all(json{sc_remove, sc_retain}), doctest::Contains("cannot be used together"),
                       ValidationError);
  CHECK_THROWS_WITH_AS(parse_all(json{mem, mem}),
                       "app.isolators[1].name: \"resource/memory\" is given more than once", ValidationError);
  CHECK_THROWS_WITH_AS(parse_all(json{sc_remove, sc_remove}), doctest::Contains("is given more than once"),
                       ValidationError);
}
