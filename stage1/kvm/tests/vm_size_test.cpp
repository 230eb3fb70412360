#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage1/kvm/vm_size.hpp"

using namespace pod::stage1::kvm;
using pod::stage1::cgroups::Limits;

TEST_CASE("the VM is the sum of its apps") {
  Limits a;
  a.memory_bytes = 200LL << 20;
  a.cpu_quota_millis = 1500;
  Limits b;  // no limits: the defaults
  const VmSize s = size_vm({a, b}, 8);
  CHECK(s.memory_mib == 200 + kDefaultAppMemoryMiB);
  CHECK(s.cpus == 3);
  CHECK(size_vm({a, b}, 2).cpus == 2);  // capped at the host's
}

TEST_CASE("a pod below the floor is refused, naming the floor") {
  Limits small;
  small.memory_bytes = 64LL << 20;
  CHECK_THROWS_WITH_AS((void)size_vm({small}, 2), doctest::Contains("floor of 128 MiB"), pod::Error);
  small.memory_bytes = 128LL << 20;
  CHECK(size_vm({small}, 2).memory_mib == 128);
}
