#include "stage1/kvm/qemu_command.hpp"

#include <cstdlib>
#include <tuple>

#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/kvm/layout.hpp"

namespace pod::stage1::kvm {
namespace {

// qemu's option syntax doubles a comma that belongs to a value.
std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

}  // namespace

std::vector<std::string> qemu_argv(const QemuPlan& p) {
  std::string append = "console=ttyS0 quiet reboot=t panic=-1";
  if (!p.kvm && p.tsc_khz > 0) append += " tsc_early_khz=" + std::to_string(p.tsc_khz);
  std::vector<std::string> a{p.qemu,
                             "-M", "microvm",
                             "-accel", p.kvm ? "kvm" : "tcg",
                             "-cpu", p.kvm ? "host" : "max",
                             "-m", std::to_string(p.memory_mib) + "M",
                             "-smp", std::to_string(p.cpus),
                             "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                             "-kernel", p.kernel,
                             "-initrd", p.initrd,
                             "-append", append,
                             "-serial", "file:" + p.console_log,
                             // The apps' output: pod init's stdout and stderr are hvc0 and hvc1.
                             "-device", "virtio-serial-device",
                             "-device", "virtconsole,chardev=out",
                             "-device", "virtconsole,chardev=err",
                             "-chardev", "socket,id=ctl,path=" + escape(p.control_socket) + ",server=on,wait=off",
                             "-device", std::string("virtserialport,chardev=ctl,name=") + kControlPortName};
  int set = 1;
  for (auto [id, fd, fallback] : {std::tuple{"out", p.out_fd, "/dev/stdout"}, std::tuple{"err", p.err_fd, "/dev/stderr"}}) {
    std::string path = fallback;
    if (fd >= 0) {
      a.insert(a.end(), {"-add-fd", "fd=" + std::to_string(fd) + ",set=" + std::to_string(set)});
      path = "/dev/fdset/" + std::to_string(set++);
    }
    a.insert(a.end(), {"-chardev", std::string("file,id=") + id + ",path=" + path + ",append=on"});
  }
  std::vector<ShareSpec> shares{{kPodShareTag, p.pod_dir, false}};
  shares.insert(shares.end(), p.volumes.begin(), p.volumes.end());
  int n = 0;
  for (const auto& s : shares) {
    const std::string id = "fs" + std::to_string(n++);
    // multidevs=remap: the pod's tree spans several mounts (the overlays of stage1 and
    // of each app), whose inode numbers would otherwise collide in the guest.
    a.insert(a.end(), {"-fsdev", "local,id=" + id + ",path=" + escape(s.host_path) +
                                     ",security_model=passthrough,multidevs=remap" + (s.read_only ? ",readonly=on" : ""),
                       "-device", "virtio-9p-device,fsdev=" + id + ",mount_tag=" + s.tag});
  }
  if (p.tap_fd >= 0) {
    a.insert(a.end(), {"-netdev", "tap,id=net0,fd=" + std::to_string(p.tap_fd), "-device",
                       "virtio-net-device,netdev=net0,mac=" + p.mac});
  }
  return a;
}

long host_tsc_khz() {
  try {
    for (const auto& line : split(read_file("/proc/cpuinfo"), '\n')) {
      if (!starts_with(line, "cpu MHz")) continue;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      return static_cast<long>(std::strtod(line.c_str() + colon + 1, nullptr) * 1000);
    }
  } catch (const std::exception&) {
  }
  return 0;
}

}  // namespace pod::stage1::kvm
