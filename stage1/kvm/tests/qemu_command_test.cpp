#include <doctest/doctest.h>

#include <algorithm>

#include "stage1/kvm/qemu_command.hpp"

using namespace pod::stage1::kvm;

namespace {

bool has(const std::vector<std::string>& argv, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag && argv[i + 1] == value) return true;
  return false;
}

}  // namespace

TEST_CASE("a TCG microvm with the pod shared and no network") {
  QemuPlan p;
  p.qemu = "/usr/bin/qemu-system-x86_64";
  p.tsc_khz = 2000000;
  p.kernel = "/k";
  p.initrd = "/i";
  p.memory_mib = 256;
  p.cpus = 2;
  p.pod_dir = "/var/pods/a,b";
  p.control_socket = "/var/pods/a,b/kvm-control.sock";
  p.console_log = "/var/pods/a,b/kvm-console.log";
  p.volumes = {{"vol0", "/data", true}};
  const auto a = qemu_argv(p);
  CHECK(a.front() == p.qemu);
  CHECK(has(a, "-M", "microvm"));
  CHECK(has(a, "-accel", "tcg"));
  CHECK(has(a, "-m", "256M"));
  CHECK(has(a, "-smp", "2"));
  CHECK(has(a, "-append", "console=ttyS0 quiet reboot=t panic=-1 tsc_early_khz=2000000"));
  // A comma in a path is doubled, as qemu's option syntax wants.
  CHECK(has(a, "-fsdev", "local,id=fs0,path=/var/pods/a,,b,security_model=passthrough,multidevs=remap"));
  CHECK(has(a, "-fsdev", "local,id=fs1,path=/data,security_model=passthrough,multidevs=remap,readonly=on"));
  CHECK(has(a, "-device", "virtio-9p-device,fsdev=fs1,mount_tag=vol0"));
  CHECK(std::find(a.begin(), a.end(), "-netdev") == a.end());
  // Without inherited descriptors the consoles write to the standard streams by path.
  CHECK(has(a, "-chardev", "file,id=out,path=/dev/stdout,append=on"));
  CHECK(has(a, "-chardev", "file,id=err,path=/dev/stderr,append=on"));
}

TEST_CASE("inherited stdout and stderr reach qemu as fd sets") {
  QemuPlan p;
  p.qemu = "q";
  p.memory_mib = 128;
  p.out_fd = 11;
  p.err_fd = 12;
  const auto a = qemu_argv(p);
  CHECK(has(a, "-add-fd", "fd=11,set=1"));
  CHECK(has(a, "-chardev", "file,id=out,path=/dev/fdset/1,append=on"));
  CHECK(has(a, "-add-fd", "fd=12,set=2"));
  CHECK(has(a, "-chardev", "file,id=err,path=/dev/fdset/2,append=on"));
}

TEST_CASE("KVM takes the host's CPU and a tap gives a NIC with eth0's MAC") {
  QemuPlan p;
  p.qemu = "q";
  p.kvm = true;
  p.tsc_khz = 1;
  p.memory_mib = 128;
  p.tap_fd = 7;
  p.mac = "aa:bb:cc:dd:ee:ff";
  const auto a = qemu_argv(p);
  CHECK(has(a, "-accel", "kvm"));
  CHECK(has(a, "-cpu", "host"));
  CHECK(has(a, "-append", "console=ttyS0 quiet reboot=t panic=-1"));
  CHECK(has(a, "-netdev", "tap,id=net0,fd=7"));
  CHECK(has(a, "-device", "virtio-net-device,netdev=net0,mac=aa:bb:cc:dd:ee:ff"));
}
