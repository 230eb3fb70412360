#include "stage1/kvm/kvm_probe.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pod::stage1::kvm {
namespace {

// Exit statuses of the probe child.
enum : int { kHalted = 0, kNoDevice = 1, kSetupFailed = 2, kOtherExit = 3 };

// mov $0x2a, %al; hlt  (real mode, at guest physical 0x1000)
[[noreturn]] void run_probe() {
  int kvm = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) _exit(kNoDevice);
  int vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
  if (vm < 0) _exit(kSetupFailed);
  void* mem = mmap(nullptr, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) _exit(kSetupFailed);
  const unsigned char code[] = {0xb0, 0x2a, 0xf4};
  std::memcpy(mem, code, sizeof code);
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = 0x1000;
  region.memory_size = 0x1000;
  region.userspace_addr = reinterpret_cast<uint64_t>(mem);
  if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) _exit(kSetupFailed);
  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
  if (vcpu < 0) _exit(kSetupFailed);
  int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (size <= 0) _exit(kSetupFailed);
  void* run_map = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  if (run_map == MAP_FAILED) _exit(kSetupFailed);
  auto* run = static_cast<kvm_run*>(run_map);
  kvm_sregs sregs{};
  if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) _exit(kSetupFailed);
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) _exit(kSetupFailed);
  kvm_regs regs{};
  regs.rip = 0x1000;
  regs.rflags = 0x2;
  if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) _exit(kSetupFailed);
  if (ioctl(vcpu, KVM_RUN, 0UL) < 0) _exit(kSetupFailed);
  _exit(run->exit_reason == KVM_EXIT_HLT ? kHalted : kOtherExit);
}

}  // namespace

KvmProbe probe_kvm(int timeout_ms) {
  if (::access("/dev/kvm", R_OK | W_OK) != 0) return {false, "/dev/kvm is not there or not usable"};
  pid_t pid = fork();
  if (pid < 0) return {false, std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) run_probe();
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  const bool ended = pidfd >= 0 && ::poll(&p, 1, timeout_ms) > 0;
  if (!ended) (void)kill(pid, SIGKILL);
  if (pidfd >= 0) ::close(pidfd);
  int status = 0;
  (void)waitpid(pid, &status, 0);
  if (!ended) return {false, "a test guest on /dev/kvm did not halt within " + std::to_string(timeout_ms) + " ms"};
  if (!WIFEXITED(status)) return {false, "the /dev/kvm probe crashed"};
  switch (WEXITSTATUS(status)) {
    case kHalted: return {true, ""};
    case kNoDevice: return {false, "/dev/kvm cannot be opened"};
    case kSetupFailed: return {false, "/dev/kvm refused to set up a test guest"};
    default: return {false, "a test guest on /dev/kvm did not halt"};
  }
}

}  // namespace pod::stage1::kvm
