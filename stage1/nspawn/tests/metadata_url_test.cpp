#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/nspawn/pod_network_plan.hpp"

using namespace pod::stage1::nspawn;

TEST_CASE("AC_METADATA_URL: the host side of the pod's first network, the port, the token") {
  RunOptions o;
  o.uuid = "6f8e3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
  PodNetworkPlan net;
  net.host_address = "172.16.28.1";
  CHECK(metadata_url(o, net).empty());  // no --mds-register
  o.mds_token = "abc123";
  CHECK(metadata_url(o, net) == "http://172.16.28.1:18112/abc123");
  o.mds_port = "20000";
  CHECK(metadata_url(o, net) == "http://172.16.28.1:20000/abc123");
  net.host_address = "fd00::1";
  CHECK(metadata_url(o, net) == "http://[fd00::1]:20000/abc123");
  net.host_address.clear();
  CHECK_THROWS_WITH_AS((void)metadata_url(o, net), doctest::Contains("needs a pod network with a gateway"), pod::Error);
}
