// AC Identifier, AC Name, semver, labels, image IDs and rkt's image reference syntax.
#include <doctest/doctest.h>

#include "aci/names.hpp"
#include "aci/validation_error.hpp"

using namespace pod::aci;

namespace {
// The rule message of the ValidationError f throws; fails the test when nothing is thrown.
template <class F>
std::string validation_message(F&& f) {
  try {
    f();
  } catch (const ValidationError& e) {
    return e.what();
  }
  FAIL("no ValidationError");
  return {};
}
}  // namespace

TEST_CASE("AC Identifier") {
  for (const char* ok : {"a", "example.com/app", "coreos.com/etcd", "example.com/user/app_v1", "sub-domain.example.com/org/product/release", "a-b_c~d.e/f", "0", "x1/y2", "a.b.c"})
    CHECK_MESSAGE(is_ac_identifier(ok), std::string(ok));
  for (const char* bad : {"", "Example.com", "-a", "a-", "a/", "/a", "a//b", "a..b", "a b", "a:b", "a,b",
                          "ä", "a_", "_a", "a@b"})
    CHECK_MESSAGE(!is_ac_identifier(bad), std::string(bad));
  // types.md lists "example.com/~user/app_v1" as an example, but its normative regular expression
  // (and the reference implementation) reject "/~": we follow the regular expression.
  CHECK(!is_ac_identifier("example.com/~user/app_v1"));
  CHECK(validation_message([] { validate_ac_identifier("Foo", "name"); }) ==
        "name: \"Foo\" is not a valid AC Identifier: lower-case letters, digits and -._~/ only, starting and "
        "ending with a letter or digit, no two separators in a row");
  CHECK(validation_message([] { validate_ac_identifier("", "labels[0].name"); }) ==
        "labels[0].name: must not be empty");
}

TEST_CASE("AC Name") {
  for (const char* ok : {"a", "work", "ftp-data", "a1-b2-c3", "9"}) CHECK_MESSAGE(is_ac_name(ok), std::string(ok));
  for (const char* bad : {"", "Work", "a_b", "a.b", "a/b", "-a", "a-", "a--b", "a b"})
    CHECK_MESSAGE(!is_ac_name(bad), std::string(bad));
  try {
    validate_ac_name("a_b", "volumes[2].name");
    FAIL("accepted");
  } catch (const ValidationError& e) {
    CHECK(e.field() == "volumes[2].name");
    CHECK(std::string(e.what()).find("not a valid AC Name") != std::string::npos);
  }
}

TEST_CASE("sanitize_ac_name makes AC Names the way rkt names apps") {
  CHECK(sanitize_ac_name("My_App") == "my-app");
  CHECK(sanitize_ac_name("example.com/reduce-worker") == "example-com-reduce-worker");
  CHECK(sanitize_ac_name("--Lead--and--trail--") == "lead-and-trail");
  CHECK(sanitize_ac_name("etcd") == "etcd");
  CHECK(is_ac_name(sanitize_ac_name("a..b//c__d")));
  CHECK_THROWS_AS((void)sanitize_ac_name("___"), ValidationError);
  CHECK_THROWS_AS((void)sanitize_ac_name(""), ValidationError);
}

TEST_CASE("semantic versions") {
  for (const char* ok : {"0.8.11", "1.0.0", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
                         "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "0.0.0"})
    CHECK_MESSAGE(is_semver(ok), std::string(ok));
  for (const char* bad : {"", "1", "1.0", "1.0.0.0", "01.0.0", "1.02.0", "1.0.0-", "1.0.0+", "1.0.0-01",
                          "1.0.0-a..b", "v1.0.0", "1.0.x", "1.0.0-a_b", "latest", "1..0"})
    CHECK_MESSAGE(!is_semver(bad), std::string(bad));
}

TEST_CASE("C identifiers for environment names") {
  for (const char* ok : {"PATH", "_x", "a1", "REDUCE_WORKER_DEBUG"}) CHECK_MESSAGE(is_c_identifier(ok), std::string(ok));
  for (const char* bad : {"", "1A", "A-B", "A.B", "A B", "Ä"}) CHECK_MESSAGE(!is_c_identifier(bad), std::string(bad));
}

TEST_CASE("image IDs") {
  const std::string full = "sha512-" + std::string(128, 'a');
  CHECK(is_image_id(full));
  CHECK(is_image_id("sha512-" + std::string(64, '0')));  // rkt's truncated store key
  CHECK(!is_image_id("sha512-" + std::string(129, 'a')));
  CHECK(!is_image_id("sha512-"));
  CHECK(!is_image_id("sha512-ABCDEF"));
  CHECK(!is_image_id("sha256-abcdef"));
  CHECK(!is_image_id("sha512-..."));
  CHECK(validation_message([] { validate_image_id("sha1-00", "apps[0].image.id"); })
            .starts_with("apps[0].image.id: \"sha1-00\" is not a valid image ID"));
}

TEST_CASE("the host's os and arch are valid appc labels") {
  CHECK(default_os() == "linux");
#if defined(__x86_64__)
  CHECK(default_arch() == "amd64");
#endif
  CHECK(is_valid_os_arch(default_os(), default_arch()));
}

TEST_CASE("os/arch pairs") {
  CHECK(is_valid_os_arch("linux", "amd64"));
  CHECK(is_valid_os_arch("linux", "aarch64"));
  CHECK(is_valid_os_arch("linux", "s390x"));
  CHECK(is_valid_os_arch("freebsd", "arm"));
  CHECK(is_valid_os_arch("darwin", "x86_64"));
  CHECK(is_valid_os_arch("linux", ""));  // no arch: any
  CHECK(!is_valid_os_arch("linux", "x86_64"));
  CHECK(!is_valid_os_arch("darwin", "amd64"));
  CHECK(!is_valid_os_arch("windows", "amd64"));
  CHECK(!is_valid_os_arch("", "amd64"));
}

TEST_CASE("labels") {
  validate_labels({{"version", "1.0"}, {"os", "linux"}, {"arch", "amd64"}, {"env", "canary"}}, "labels");
  validate_labels({}, "labels");
  validate_labels({{"arch", "amd64"}}, "labels");  // arch alone carries no meaning but is not an error
  CHECK(validation_message([] { validate_labels({{"version", "1"}, {"version", "2"}}, "labels"); }) ==
        "labels[1].name: label \"version\" appears more than once");
  CHECK(validation_message([] { validate_labels({{"name", "x"}}, "labels"); })
            .starts_with("labels[0].name: \"name\" cannot be a label"));
  CHECK(validation_message([] { validate_labels({{"Version", "1"}}, "labels"); })
            .starts_with("labels[0].name: \"Version\" is not a valid AC Identifier"));
  CHECK(validation_message([] { validate_labels({{"os", "windows"}}, "labels"); }) ==
        "labels: os \"windows\" is not supported: use linux, freebsd or darwin");
  CHECK(validation_message([] { validate_labels({{"os", "linux"}, {"arch", "x86_64"}}, "deps[0].labels"); })
            .starts_with("deps[0].labels: arch \"x86_64\" is not valid for os \"linux\": use one of amd64, i386"));
}

TEST_CASE("NameValueList keeps order, replaces and erases") {
  NameValueList l;
  l.set("b", "1");
  l.set("a", "2");
  l.set("b", "3");
  REQUIRE(l.size() == 2);
  CHECK(l.items()[0] == NameValue{"b", "3"});
  CHECK(l.items()[1] == NameValue{"a", "2"});
  CHECK(l.get("a") == "2");
  CHECK(!l.get("c"));
  CHECK(l.erase("b"));
  CHECK(!l.erase("b"));
  CHECK(l.size() == 1);
  CHECK(NameValueList{{"a", "2"}} == l);
}

TEST_CASE("image references in rkt's syntax") {
  SUBCASE("name alone") {
    auto ref = parse_image_reference("example.com/app");
    CHECK(ref.name == "example.com/app");
    CHECK(ref.labels.empty());
    CHECK(format_image_reference(ref) == "example.com/app");
  }
  SUBCASE("name:version") {
    auto ref = parse_image_reference("example.com/app:1.0");
    CHECK(ref.name == "example.com/app");
    CHECK(ref.labels == Labels{{"version", "1.0"}});
    CHECK(format_image_reference(ref) == "example.com/app:1.0");
  }
  SUBCASE("latest is an ordinary version") {
    auto ref = parse_image_reference("coreos.com/etcd:latest");
    CHECK(ref.labels.get("version") == "latest");
  }
  SUBCASE("labels after commas") {
    auto ref = parse_image_reference("example.com/app,version=1.0,os=linux,arch=amd64");
    CHECK(ref.labels == Labels{{"version", "1.0"}, {"os", "linux"}, {"arch", "amd64"}});
    CHECK(format_image_reference(ref) == "example.com/app,version=1.0,os=linux,arch=amd64");
    CHECK(format_image_reference(parse_image_reference(format_image_reference(ref))) ==
          format_image_reference(ref));
  }
  SUBCASE("version by colon and more labels") {
    auto ref = parse_image_reference("example.com/app:2.1,os=linux");
    CHECK(ref.labels == Labels{{"version", "2.1"}, {"os", "linux"}});
  }
  SUBCASE("a label value may contain =") {
    auto ref = parse_image_reference("example.com/app,channel=a=b");
    CHECK(ref.labels.get("channel") == "a=b");
  }
  SUBCASE("mistakes") {
    CHECK(validation_message([] { (void)parse_image_reference("Example.com/App"); })
              .starts_with("image reference \"Example.com/App\": \"Example.com/App\" is not a valid AC Identifier"));
    CHECK(validation_message([] { (void)parse_image_reference("example.com/app,os=linux:1"); })
              .find("colon may appear only right after the image name") != std::string::npos);
    CHECK(validation_message([] { (void)parse_image_reference("a:1:2"); }).find("at most once") !=
          std::string::npos);
    CHECK(validation_message([] { (void)parse_image_reference("a:1,version=2"); })
              .find("label \"version\" is given more than once") != std::string::npos);
    CHECK(validation_message([] { (void)parse_image_reference("a,os"); }).find("write NAME=VALUE") !=
          std::string::npos);
    CHECK(validation_message([] { (void)parse_image_reference("a,=x"); }).find("write NAME=VALUE") !=
          std::string::npos);
    CHECK_THROWS_AS((void)parse_image_reference("a,os=plan9"), ValidationError);
    CHECK_THROWS_AS((void)parse_image_reference(""), ValidationError);
    CHECK_THROWS_AS((void)parse_image_reference(":1.0"), ValidationError);
  }
}
