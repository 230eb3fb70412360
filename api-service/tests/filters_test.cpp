#include <doctest/doctest.h>

#include "api-service/filters.hpp"

using namespace pod::api;

namespace {

const char* kUuid = "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";

v1alpha::Pod sample_pod() {
  v1alpha::Pod p;
  p.set_id(kUuid);
  p.set_state(v1alpha::POD_STATE_RUNNING);
  auto* a = p.add_apps();
  a->set_name("web");
  a->mutable_image()->set_id("sha512-" + std::string(128, 'a'));
  auto* b = p.add_apps();
  b->set_name("db");
  b->mutable_image()->set_id("sha512-" + std::string(128, 'b'));
  p.add_networks()->set_name("default");
  auto* kv = p.add_annotations();
  kv->set_key("team");
  kv->set_value("infra");
  p.set_cgroup("/machine.slice/pod.scope");
  return p;
}

v1alpha::Image sample_image() {
  v1alpha::Image i;
  i.set_id("sha512-" + std::string(128, 'c'));
  i.set_name("example.com/tools/etcd");
  i.set_import_timestamp(1000);
  auto* l = i.add_labels();
  l->set_key("version");
  l->set_value("3.5");
  auto* a = i.add_annotations();
  a->set_key("authors");
  a->set_value("ops");
  return i;
}

std::string invalid_message(const v1alpha::PodFilter& f) {
  try {
    validate(f, "filters[0]");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("pod filters: every condition of one filter must hold") {
  auto p = sample_pod();
  v1alpha::PodFilter f;
  CHECK(matches(p, f));
  f.add_ids(kUuid);
  f.add_states(v1alpha::POD_STATE_RUNNING);
  f.add_app_names("web");
  f.add_app_names("db");
  f.add_image_ids("sha512-aaaa");
  f.add_network_names("default");
  auto* kv = f.add_annotations();
  kv->set_key("team");
  kv->set_value("infra");
  f.add_cgroups("/machine.slice/pod.scope");
  f.add_pod_sub_cgroups("/machine.slice/pod.scope/system.slice/web.service");
  CHECK(matches(p, f));

  SUBCASE("one wrong app name") {
    f.add_app_names("cache");
    CHECK_FALSE(matches(p, f));
  }
  SUBCASE("another state") {
    f.set_states(0, v1alpha::POD_STATE_EXITED);
    CHECK_FALSE(matches(p, f));
  }
  SUBCASE("an annotation with another value") {
    f.mutable_annotations(0)->set_value("web");
    CHECK_FALSE(matches(p, f));
  }
  SUBCASE("a network the pod is not in") {
    f.add_network_names("backend");
    CHECK_FALSE(matches(p, f));
  }
  SUBCASE("a cgroup that is not inside the pod's") {
    f.set_pod_sub_cgroups(0, "/machine.slice/pod.scopeX");
    CHECK_FALSE(matches(p, f));
  }
  SUBCASE("an image the pod does not use") {
    f.add_image_ids("sha512-cc");
    CHECK_FALSE(matches(p, f));
  }
}

TEST_CASE("pod filters: a pod matching any filter is returned; none lets all through") {
  auto p = sample_pod();
  google::protobuf::RepeatedPtrField<v1alpha::PodFilter> filters;
  CHECK(matches_any(p, filters));
  filters.Add()->add_app_names("cache");
  CHECK_FALSE(matches_any(p, filters));
  filters.Add()->add_states(v1alpha::POD_STATE_RUNNING);
  CHECK(matches_any(p, filters));
}

TEST_CASE("pod filters: a pod without a cgroup matches no cgroup filter") {
  auto p = sample_pod();
  p.clear_cgroup();
  v1alpha::PodFilter f;
  f.add_pod_sub_cgroups("/machine.slice");
  CHECK_FALSE(matches(p, f));
}

TEST_CASE("malformed pod filters name the field") {
  v1alpha::PodFilter f;
  f.add_ids("not-a-uuid");
  CHECK(invalid_message(f).find("filters[0].ids[0]") != std::string::npos);
  f.Clear();
  f.add_states(v1alpha::POD_STATE_UNDEFINED);
  CHECK(invalid_message(f).find("filters[0].states[0]") != std::string::npos);
  f.Clear();
  f.add_image_ids("sha256-abc");
  CHECK(invalid_message(f).find("filters[0].image_ids[0]") != std::string::npos);
  f.Clear();
  f.add_annotations()->set_value("x");
  CHECK(invalid_message(f).find("Key is empty") != std::string::npos);
  f.Clear();
  f.add_cgroups("machine.slice");
  CHECK(invalid_message(f).find("filters[0].cgroups[0]") != std::string::npos);
  f.Clear();
  f.add_ids(kUuid);
  CHECK(invalid_message(f).empty());
}

TEST_CASE("image filters") {
  auto i = sample_image();
  v1alpha::ImageFilter f;
  CHECK(matches(i, f));
  SUBCASE("ids are full IDs or prefixes") {
    f.add_ids("sha512-cccc");
    CHECK(matches(i, f));
    f.set_ids(0, "sha512-dd");
    CHECK_FALSE(matches(i, f));
  }
  SUBCASE("prefixes, base names, keywords, full names") {
    f.add_prefixes("example.com/");
    f.add_base_names("etcd");
    f.add_keywords("tools");
    f.add_full_names("example.com/tools/etcd");
    CHECK(matches(i, f));
    f.set_base_names(0, "etc");
    CHECK_FALSE(matches(i, f));
  }
  SUBCASE("a keyword inside the name, not a whole word") {
    f.add_keywords("cd");
    CHECK(matches(i, f));
  }
  SUBCASE("labels and annotations must all be there") {
    auto* l = f.add_labels();
    l->set_key("version");
    l->set_value("3.5");
    CHECK(matches(i, f));
    l->set_value("3.4");
    CHECK_FALSE(matches(i, f));
    l->set_value("3.5");
    auto* a = f.add_annotations();
    a->set_key("authors");
    a->set_value("dev");
    CHECK_FALSE(matches(i, f));
  }
  SUBCASE("import time bounds are exclusive") {
    f.set_imported_after(999);
    f.set_imported_before(1001);
    CHECK(matches(i, f));
    f.set_imported_after(1000);
    CHECK_FALSE(matches(i, f));
  }
}

TEST_CASE("malformed image filters") {
  v1alpha::ImageFilter f;
  f.set_imported_after(10);
  f.set_imported_before(5);
  CHECK_THROWS_AS(validate(f, "filters[1]"), InvalidArgument);
  f.Clear();
  f.add_base_names("a/b");
  CHECK_THROWS_WITH_AS(validate(f, "filters[1]"), doctest::Contains("filters[1].base_names[0]"),
                       InvalidArgument);
  f.Clear();
  f.add_ids("sha512-XYZ");
  CHECK_THROWS_AS(validate(f, "filters[1]"), InvalidArgument);
}

TEST_CASE("event filters") {
  v1alpha::Event e;
  e.set_type(v1alpha::EVENT_TYPE_POD_STARTED);
  e.set_id(kUuid);
  e.set_from(kUuid);
  e.set_time(100);
  v1alpha::EventFilter f;
  CHECK(matches(e, f));
  f.add_types(v1alpha::EVENT_TYPE_POD_EXITED);
  CHECK_FALSE(matches(e, f));
  f.add_types(v1alpha::EVENT_TYPE_POD_STARTED);
  f.set_since_time(100);
  f.set_until_time(100);
  CHECK(matches(e, f));
  f.set_since_time(101);
  CHECK_THROWS_AS(validate(f, "filter"), InvalidArgument);
}

TEST_CASE("UUIDs and image IDs") {
  CHECK(is_pod_uuid(kUuid));
  CHECK_FALSE(is_pod_uuid("6f1e2d3c"));
  CHECK_FALSE(is_pod_uuid("6F1E2D3C-4B5A-4978-8A9B-0C1D2E3F4A5B"));
  CHECK(is_image_id_or_prefix("sha512-0"));
  CHECK_FALSE(is_image_id_or_prefix("sha512-"));
  CHECK_FALSE(is_image_id_or_prefix("sha512-" + std::string(129, 'a')));
}
