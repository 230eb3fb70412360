// Group contents follow rkt's (which followed Docker's 2016 profile), plus the
// syscalls that today's libc and runtimes call on every start (clone3, rseq, statx,
// faccessat2, close_range, ...): without them a default-filtered app would fail in
// ways unrelated to security.
#include "stage2/seccomp_groups.hpp"

namespace pod::stage2 {
namespace {

const std::vector<std::string>& default_allow_list() {
  static const std::vector<std::string> names{
      "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "capget", "capset",
      "chdir", "chmod", "chown", "chown32", "chroot", "clock_getres", "clock_gettime",
      "clock_nanosleep", "clone", "clone3", "close", "close_range", "connect", "copy_file_range",
      "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
      "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd",
      "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
      "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
      "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
      "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
      "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_waitv",
      "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
      "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
      "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
      "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
      "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid",
      "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
      "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents",
      "io_pgetevents", "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc",
      "kill", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
      "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
      "madvise", "membarrier", "memfd_create", "mincore", "mkdir", "mkdirat", "mknod", "mknodat",
      "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect", "mq_getsetattr",
      "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "msgctl",
      "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep",
      "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "personality",
      "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "poll", "ppoll", "prctl", "pread64",
      "preadv", "preadv2", "prlimit64", "pselect6", "pwrite64", "pwritev", "pwritev2", "read",
      "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmsg",
      "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
      "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
      "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo",
      "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
      "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity",
      "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
      "select", "semctl", "semget", "semop", "semtimedop", "send", "sendfile", "sendfile64",
      "sendmmsg", "sendmsg", "sendto", "set_robust_list", "set_thread_area", "set_tid_address",
      "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
      "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
      "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
      "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl",
      "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigreturn",
      "socket", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
      "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "syslog",
      "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
      "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime", "timerfd_settime",
      "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
      "unlinkat", "utime", "utimensat", "utimes", "vfork", "vmsplice", "wait4", "waitid",
      "waitpid", "write", "writev"};
  return names;
}

const std::vector<std::string>& default_deny_list() {
  static const std::vector<std::string> names{
      "acct", "add_key", "adjtimex", "bpf", "clock_adjtime", "clock_settime", "create_module",
      "delete_module", "finit_module", "get_kernel_syms", "get_mempolicy", "init_module",
      "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
      "mbind", "mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at",
      "perf_event_open", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace",
      "query_module", "quotactl", "reboot", "request_key", "set_mempolicy", "setns",
      "settimeofday", "stime", "swapoff", "swapon", "sysfs", "_sysctl", "umount", "umount2",
      "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old",
      // the new mount API reaches what mount(2) does
      "fsconfig", "fsmount", "fsopen", "fspick", "move_mount", "open_tree", "mount_setattr"};
  return names;
}

}  // namespace

std::optional<std::vector<std::string>> seccomp_group(std::string_view name) {
  if (name == "@rkt/default-whitelist" || name == "@docker/default-whitelist")
    return default_allow_list();
  if (name == "@rkt/default-blacklist" || name == "@docker/default-blacklist")
    return default_deny_list();
  return std::nullopt;
}

std::vector<std::string> seccomp_group_names() {
  return {"@appc.io/all", "@appc.io/empty", "@rkt/default-whitelist", "@rkt/default-blacklist",
          "@docker/default-whitelist", "@docker/default-blacklist"};
}

}  // namespace pod::stage2
