#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "stage1/common/cgroups/limits.hpp"
#include "stage1/common/cgroups/settings.hpp"

using namespace pod;
using namespace pod::stage1::cgroups;

namespace {

aci::App app_with(const nlohmann::json& isolators) {
  aci::App app;
  for (const auto& j : isolators) app.isolators.push_back(aci::Isolator::from_json(j, "isolators"));
  return app;
}

std::string value_of(const std::vector<Setting>& settings, const std::string& file) {
  for (const auto& s : settings)
    if (s.file == file) return s.value;
  return "<none>";
}

}  // namespace

TEST_CASE("isolators become limits") {
  auto app = app_with(nlohmann::json::parse(R"([
    {"name": "resource/memory", "value": {"limit": "64Mi"}},
    {"name": "resource/cpu", "value": {"request": "250m", "limit": "500m"}},
    {"name": "os/linux/cpu-shares", "value": 512},
    {"name": "pod.dev/pids-limit", "value": {"max": 64}}])"));
  Limits l = limits_of(app, "web", 1000);
  CHECK(l.memory_bytes == 64 * 1024 * 1024);
  CHECK(l.cpu_quota_millis == 500);
  CHECK(l.cpu_shares == 512);
  CHECK(l.pids_max == 64);
}

TEST_CASE("no isolators: only the default pids limit") {
  Limits l = limits_of(aci::App{}, "web", 4915);
  CHECK_FALSE(l.memory_bytes);
  CHECK_FALSE(l.cpu_quota_millis);
  CHECK(l.pids_max == 4915);
  CHECK_FALSE(limits_of(aci::App{}, "web", 0).pids_max);
  CHECK(default_pids_max(32768) == 4915);
}

TEST_CASE("values the kernel cannot take are refused, naming app, isolator and value") {
  auto tiny = app_with(nlohmann::json::parse(R"([{"name": "resource/memory", "value": {"limit": "1k"}}])"));
  try {
    (void)limits_of(tiny, "web", 0);
    FAIL("accepted");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("app web") != std::string::npos);
    CHECK(msg.find("resource/memory") != std::string::npos);
    CHECK(msg.find("1k") != std::string::npos);
  }
  auto bad_pids = app_with(nlohmann::json::parse(R"([{"name": "pod.dev/pids-limit", "value": {"max": 0}}])"));
  CHECK_THROWS_AS((void)limits_of(bad_pids, "web", 0), Error);
}

TEST_CASE("cgroup v1 control files") {
  Limits l;
  l.memory_bytes = 1 << 20;
  l.cpu_quota_millis = 250;
  l.cpu_shares = 2048;
  l.pids_max = 10;
  auto s = v1_settings(l);
  CHECK(value_of(s, "memory.limit_in_bytes") == "1048576");
  CHECK(value_of(s, "cpu.cfs_period_us") == "100000");
  CHECK(value_of(s, "cpu.cfs_quota_us") == "25000");
  CHECK(value_of(s, "cpu.shares") == "2048");
  CHECK(value_of(s, "pids.max") == "10");
  CHECK(v1_settings(Limits{}).empty());
}

TEST_CASE("cgroup v2 control files") {
  Limits l;
  l.memory_bytes = 1 << 20;
  l.cpu_quota_millis = 1500;
  l.cpu_shares = 1024;
  l.pids_max = 10;
  auto s = v2_settings(l);
  CHECK(value_of(s, "memory.max") == "1048576");
  CHECK(value_of(s, "memory.swap.max") == "0");
  CHECK(value_of(s, "cpu.max") == "150000 100000");
  CHECK(value_of(s, "cpu.weight") == "39");
  CHECK(value_of(s, "pids.max") == "10");
  CHECK(weight_from_shares(2) == 1);
  CHECK(weight_from_shares(262144) == 10000);
}
