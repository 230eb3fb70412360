#include <doctest/doctest.h>

#include "api-service/events.hpp"

using namespace pod::api;
using pod::pods::PodState;

namespace {

std::vector<v1alpha::EventType> types(const std::vector<v1alpha::Event>& events) {
  std::vector<v1alpha::EventType> out;
  for (const auto& e : events) out.push_back(e.type());
  return out;
}

PodRecord record_with_app(const std::string& app, std::optional<int> exit_code) {
  PodRecord r;
  pod::pods::AppInfo a;
  a.name = app;
  a.exit_code = exit_code;
  r.info.apps.push_back(a);
  r.info.started_at = 1;
  return r;
}

}  // namespace

TEST_CASE("transitions between two looks") {
  PodStates before{{"a", PodState::running}, {"b", PodState::prepared}, {"c", PodState::exited}};
  PodStates after{{"a", PodState::exited}, {"b", PodState::prepared}, {"d", PodState::preparing}};
  auto t = pod_transitions(before, after);
  REQUIRE(t.size() == 3);
  CHECK(t[0].uuid == "a");
  CHECK(t[0].to == PodState::exited);
  CHECK(t[1].uuid == "d");
  CHECK_FALSE(t[1].from.has_value());
  CHECK(t[2].uuid == "c");
  CHECK_FALSE(t[2].to.has_value());
}

TEST_CASE("events of pod transitions") {
  auto rec = record_with_app("web", 3);
  using v1alpha::EventType;
  SUBCASE("prepared") {
    CHECK(types(pod_events({"p", PodState::preparing, PodState::prepared}, nullptr, 5)) ==
          std::vector<EventType>{v1alpha::EVENT_TYPE_POD_PREPARED});
  }
  SUBCASE("started, with its apps") {
    auto ev = pod_events({"p", PodState::preparing, PodState::running}, &rec, 5);
    CHECK(types(ev) == std::vector<EventType>{v1alpha::EVENT_TYPE_POD_STARTED,
                                              v1alpha::EVENT_TYPE_APP_STARTED});
    CHECK(ev[1].from() == "web");
    CHECK(ev[0].time() == 5);
  }
  SUBCASE("exited, with the apps' exit codes") {
    auto ev = pod_events({"p", PodState::running, PodState::exited}, &rec, 5);
    REQUIRE(types(ev) == std::vector<EventType>{v1alpha::EVENT_TYPE_POD_EXITED,
                                                v1alpha::EVENT_TYPE_APP_EXITED});
    REQUIRE(ev[1].data_size() == 1);
    CHECK(ev[1].data(0).key() == "exit_code");
    CHECK(ev[1].data(0).value() == "3");
  }
  SUBCASE("a pod that ran entirely between two looks started and exited") {
    CHECK(types(pod_events({"p", std::nullopt, PodState::exited}, &rec, 5)) ==
          std::vector<EventType>{v1alpha::EVENT_TYPE_POD_STARTED, v1alpha::EVENT_TYPE_APP_STARTED,
                                 v1alpha::EVENT_TYPE_POD_EXITED, v1alpha::EVENT_TYPE_APP_EXITED});
  }
  SUBCASE("garbage collected: marked, then removed") {
    auto marked = pod_events({"p", PodState::exited, PodState::exited_garbage}, &rec, 5);
    REQUIRE(types(marked) == std::vector<EventType>{v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED});
    CHECK(marked[0].data(0).value() == "marked");
    auto removed = pod_events({"p", PodState::exited_garbage, std::nullopt}, nullptr, 5);
    REQUIRE(types(removed) == std::vector<EventType>{v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED});
    CHECK(removed[0].data(0).value() == "removed");
  }
  SUBCASE("a prepared pod collected without running did not start") {
    PodRecord never;
    CHECK(types(pod_events({"p", PodState::prepared, PodState::garbage}, &never, 5)) ==
          std::vector<EventType>{v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED});
  }
  SUBCASE("aborted prepare") {
    CHECK(types(pod_events({"p", PodState::preparing, PodState::aborted_prepare}, nullptr, 5)) ==
          std::vector<EventType>{v1alpha::EVENT_TYPE_POD_PREPARE_ABORTED});
  }
}

TEST_CASE("image events") {
  ImageNames before{{"sha512-1", "example.com/a"}};
  ImageNames after{{"sha512-2", "example.com/b"}};
  auto ev = image_events(before, after, 7);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].type() == v1alpha::EVENT_TYPE_IMAGE_IMPORTED);
  CHECK(ev[0].from() == "example.com/b");
  CHECK(ev[1].type() == v1alpha::EVENT_TYPE_IMAGE_REMOVED);
  CHECK(ev[1].id() == "sha512-1");
}
