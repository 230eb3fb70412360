#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/kvm/guest_config.hpp"

using namespace pod::stage1::kvm;

TEST_CASE("a guest configuration survives formatting and parsing") {
  GuestConfig c;
  c.init_argv = {"/kvm/init", "--uuid=u", "--dns=10.0.0.1"};
  c.hostname = "pod-u";
  c.volumes = {{"vol0", "data", true}, {"vol1", "logs", false}};
  c.network = GuestNetwork{"10.1.2.3", 24, "10.1.2.1"};
  c.nameservers = {"1.1.1.1"};
  c.metadata_url = "http://10.1.2.1:18112/abc";
  const GuestConfig back = parse_guest_config(format_guest_config(c));
  CHECK(back.init_argv == c.init_argv);
  CHECK(back.hostname == "pod-u");
  REQUIRE(back.volumes.size() == 2);
  CHECK(back.volumes[0].read_only);
  CHECK(back.volumes[1].name == "logs");
  REQUIRE(back.network);
  CHECK(back.network->prefix == 24);
  CHECK(back.network->gateway == "10.1.2.1");
  CHECK(back.nameservers == c.nameservers);
  CHECK(back.metadata_url == c.metadata_url);
  CHECK(parse_guest_config("arg\t/kvm/init\n").metadata_url.empty());
}

TEST_CASE("a value with a newline cannot be written") {
  GuestConfig c;
  c.init_argv = {"/kvm/init"};
  c.hostname = "a\nb";
  CHECK_THROWS_AS((void)format_guest_config(c), pod::Error);
}

TEST_CASE("bad lines are refused, naming the line") {
  CHECK_THROWS_WITH_AS((void)parse_guest_config("arg\t/kvm/init\nnet\t10.0.0.2\t40\t\n"),
                       doctest::Contains("line 2"), pod::Error);
  CHECK_THROWS_AS((void)parse_guest_config("hostname\tx\n"), pod::Error);  // no pod init
}
