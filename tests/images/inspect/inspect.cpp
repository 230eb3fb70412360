// inspect: run inside a pod by the functional tests to report what the pod looks like
// from the inside. Every flag prints stable "key: value" lines; flags run in the order
// given. A failed probe prints "<key>-error: ..." and makes the exit status 1 unless
// --exit-code says otherwise. Static, so it runs in any rootfs.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

const char* const kCapNames[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
    "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};

struct Rlimit {
  const char* name;
  int resource;
};
const Rlimit kRlimits[] = {{"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC}, {"CORE", RLIMIT_CORE},
                           {"STACK", RLIMIT_STACK},   {"AS", RLIMIT_AS},       {"MEMLOCK", RLIMIT_MEMLOCK}};

class Inspector {
 public:
  int failures = 0;

  void line(const std::string& key, const std::string& value) {
    std::printf("%s: %s\n", key.c_str(), value.c_str());
  }
  void fail(const std::string& key, const std::string& why) {
    std::printf("%s-error: %s\n", key.c_str(), why.c_str());
    ++failures;
  }

  std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // The value of "Key:" in /proc/self/status.
  std::string status_field(const std::string& key) {
    auto text = slurp("/proc/self/status");
    if (!text) return "";
    std::istringstream in(*text);
    std::string l;
    while (std::getline(in, l)) {
      if (l.rfind(key + ":", 0) == 0) {
        auto v = l.substr(key.size() + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        return v;
      }
    }
    return "";
  }

  static std::string cap_names(const std::string& hex) {
    unsigned long long mask = std::strtoull(hex.c_str(), nullptr, 16);
    std::string out;
    for (unsigned i = 0; i < sizeof(kCapNames) / sizeof(kCapNames[0]); ++i) {
      if (!(mask & (1ULL << i))) continue;
      // Appended piecewise: g++ 12's -Wrestrict misfires on `"," + std::string(...)`.
      if (!out.empty()) out += ',';
      out += kCapNames[i];
    }
    return out;
  }

  static std::string escaped(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '\n') out += "\\n";
      else if (c == '\\') out += "\\\\";
      else out += c;
    }
    return out;
  }

  void print_env() {
    std::vector<std::string> vars;
    for (char** e = environ; *e; ++e) vars.emplace_back(*e);
    std::sort(vars.begin(), vars.end());
    for (const auto& v : vars) line("env", v);
  }

  void print_cwd() {
    char buf[4096];
    if (getcwd(buf, sizeof(buf))) line("cwd", buf);
    else fail("cwd", std::strerror(errno));
  }

  void print_user() {
    line("uid", std::to_string(getuid()));
    line("gid", std::to_string(getgid()));
    line("euid", std::to_string(geteuid()));
    line("egid", std::to_string(getegid()));
    std::vector<gid_t> groups(static_cast<size_t>(std::max(getgroups(0, nullptr), 0)));
    int n = getgroups(static_cast<int>(groups.size()), groups.data());
    groups.resize(n > 0 ? static_cast<size_t>(n) : 0);
    std::sort(groups.begin(), groups.end());
    std::string g;
    for (gid_t id : groups) {
      if (!g.empty()) g += ' ';
      g += std::to_string(id);
    }
    line("groups", g);
  }

  void print_caps() {
    const std::pair<const char*, const char*> sets[] = {{"CapEff", "effective"}, {"CapPrm", "permitted"},
                                                         {"CapInh", "inheritable"}, {"CapBnd", "bounding"},
                                                         {"CapAmb", "ambient"}};
    for (auto [field, name] : sets) line(std::string("cap_") + name, cap_names(status_field(field)));
  }

  void print_hostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof(buf) - 1) == 0) line("hostname", buf);
    else fail("hostname", std::strerror(errno));
  }

  void print_mounts() {
    auto text = slurp("/proc/self/mountinfo");
    if (!text) return fail("mounts", "cannot read /proc/self/mountinfo");
    std::istringstream in(*text);
    std::string l;
    while (std::getline(in, l)) {
      std::istringstream f(l);
      std::string id, parent, devno, root, point, opts, field;
      f >> id >> parent >> devno >> root >> point >> opts;
      while (f >> field && field != "-") {
      }
      std::string fstype;
      f >> fstype;
      line("mount", point + " " + fstype + " " + opts);
    }
  }

  void read_file(const std::string& path) {
    auto text = slurp(path);
    if (!text) return fail("read", path + ": " + std::strerror(errno));
    line("content", escaped(*text));
  }

  void write_file(const std::string& path, const std::string& content) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("write", path + ": " + std::strerror(errno));
    ssize_t n = write(fd, content.data(), content.size());
    int err = errno;
    close(fd);
    if (n != static_cast<ssize_t>(content.size())) return fail("write", path + ": " + std::strerror(err));
    line("wrote", path);
  }

  void print_rlimit(const std::string& name) {
    for (const auto& r : kRlimits) {
      if (name != r.name) continue;
      struct rlimit l{};
      getrlimit(r.resource, &l);
      auto fmt = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); };
      return line("rlimit_" + name, fmt(l.rlim_cur) + " " + fmt(l.rlim_max));
    }
    fail("rlimit", "unknown resource " + name);
  }

  void check_dev() {
    const char* chars[] = {"null", "zero", "full", "random", "urandom", "tty"};
    bool ok = true;
    for (const char* n : chars) {
      struct stat st{};
      std::string p = std::string("/dev/") + n;
      if (stat(p.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) {
        line("dev_" + std::string(n), "missing");
        ok = false;
        continue;
      }
      line("dev_" + std::string(n),
           "char " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
    }
    struct stat st{};
    bool ptmx = stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode);
    line("dev_ptmx", ptmx ? "char" : "missing");
    bool shm = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode);
    line("dev_shm", shm ? "dir" : "missing");
    bool pts = stat("/dev/pts", &st) == 0 && S_ISDIR(st.st_mode);
    line("dev_pts", pts ? "dir" : "missing");
    // Writing to /dev/null and reading /dev/zero must work, not just exist.
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    bool null_works = fd >= 0 && write(fd, "x", 1) == 1;
    if (fd >= 0) close(fd);
    line("dev_null_writable", null_works ? "yes" : "no");
    ok = ok && ptmx && shm && pts && null_works;
    line("dev_ok", ok ? "yes" : "no");
    if (!ok) ++failures;
  }

  void stat_path(const std::string& path) {
    struct stat st{};
    if (lstat(path.c_str(), &st) != 0) return fail("stat", path + ": " + std::strerror(errno));
    const char* type = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "symlink"
                       : S_ISCHR(st.st_mode) ? "char" : S_ISBLK(st.st_mode) ? "block" : "other";
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
    line("stat", path + " type=" + type + " mode=" + mode + " uid=" + std::to_string(st.st_uid) +
                     " gid=" + std::to_string(st.st_gid));
  }

  void try_umount(const std::string& path) {
    if (umount2(path.c_str(), 0) == 0) return line("umount", "ok");
    const char* name = errno == EPERM ? "EPERM" : errno == EINVAL ? "EINVAL" : errno == ENOENT ? "ENOENT"
                       : errno == ENOSYS ? "ENOSYS" : "other";
    line("umount", std::string(name) + " (" + std::strerror(errno) + ")");
  }

  // The classic chroot escape: chroot into a subdirectory, walk ".." past it, chroot
  // there. Prints the entries of the "/" reached: the app's own if the runtime confined it.
  void try_chroot_escape() {
    char dir[] = "/tmp/escape-XXXXXX";
    if (!mkdtemp(dir)) return fail("escape", std::string("mkdtemp: ") + std::strerror(errno));
    if (chroot(dir) != 0) return fail("escape", std::string("chroot: ") + std::strerror(errno));
    for (int i = 0; i < 64; ++i) {
      if (chdir("..") != 0) break;
    }
    if (chroot(".") != 0) return fail("escape", std::string("chroot .: ") + std::strerror(errno));
    std::vector<std::string> names;
    if (DIR* d = opendir("/")) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
    line("escape_root", joined);
  }

  void echo_stdin() {
    char buf[4096];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) fwrite(buf, 1, static_cast<size_t>(n), stdout);
  }

  // sd_notify(3): one datagram to $NOTIFY_SOCKET ("@name": an abstract socket).
  void notify(const std::string& state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || *path == '\0') {
      line("notify", "no NOTIFY_SOCKET");
      return;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string p = path;
    std::memcpy(addr.sun_path, p.c_str(), std::min(p.size(), sizeof addr.sun_path - 1));
    if (p[0] == '@') addr.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && sendto(fd, state.data(), state.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                                static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size())) >= 0;
    if (fd >= 0) close(fd);
    line("notify", ok ? "sent" : std::string("failed: ") + std::strerror(errno));
  }

  // Socket activation (sd_listen_fds(3)): checks LISTEN_PID is ours, accepts one connection
  // on fd 3 and writes one line to it naming this app, its LISTEN_FDS and LISTEN_FDNAMES.
  void accept_listen_fd() {
    const char* fds = std::getenv("LISTEN_FDS");
    const char* pid = std::getenv("LISTEN_PID");
    const char* names = std::getenv("LISTEN_FDNAMES");
    if (fds == nullptr || pid == nullptr) {
      line("listen-error", "no LISTEN_FDS/LISTEN_PID");
      return;
    }
    if (std::atol(pid) != static_cast<long>(getpid())) {
      line("listen-error", std::string("LISTEN_PID=") + pid + " is not this process");
      return;
    }
    line("listen", std::string("fds=") + fds + " names=" + (names ? names : "-"));
    std::fflush(stdout);
    int conn = accept4(3, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      line("listen-error", std::string("accept on fd 3: ") + std::strerror(errno));
      return;
    }
    const char* app = std::getenv("AC_APP_NAME");
    std::string reply = std::string("hello from ") + (app ? app : "?") + " fds=" + fds + " names=" +
                        (names ? names : "-") + "\n";
    bool ok = write(conn, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size());
    close(conn);
    line("listen", ok ? "served" : std::string("write failed: ") + std::strerror(errno));
  }

  static void sleep_for(double seconds) {
    std::fflush(stdout);
    struct timespec ts{static_cast<time_t>(seconds), static_cast<long>((seconds - static_cast<time_t>(seconds)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
};

std::optional<std::string> value_of(const std::string& arg, const std::string& flag) {
  if (arg.rfind(flag + "=", 0) == 0) return arg.substr(flag.size() + 1);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  Inspector in;
  std::optional<int> exit_code;
  std::string content;
  for (int i = 1; i < argc; ++i) {
    if (auto v = value_of(argv[i], "--content")) content = *v;
  }
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--print-env") in.print_env();
    else if (a == "--print-cwd") in.print_cwd();
    else if (a == "--print-user") in.print_user();
    else if (a == "--print-caps") in.print_caps();
    else if (a == "--print-hostname") in.print_hostname();
    else if (a == "--print-mounts") in.print_mounts();
    else if (a == "--print-seccomp") in.line("seccomp", in.status_field("Seccomp"));
    else if (a == "--print-nnp") in.line("no_new_privs", std::to_string(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)));
    else if (a == "--print-pid") in.line("pid", std::to_string(getpid()));
    else if (a == "--print-cgroup") {
      auto t = in.slurp("/proc/self/cgroup");
      if (t) in.line("cgroup", Inspector::escaped(*t));
      else in.fail("cgroup", "cannot read /proc/self/cgroup");
    } else if (a == "--print-oom-score-adj") {
      auto t = in.slurp("/proc/self/oom_score_adj");
      if (t) in.line("oom_score_adj", t->substr(0, t->find('\n')));
      else in.fail("oom_score_adj", "cannot read /proc/self/oom_score_adj");
    } else if (auto v = value_of(a, "--print-rlimit")) in.print_rlimit(*v);
    else if (auto r = value_of(a, "--read-file")) in.read_file(*r);
    else if (auto w = value_of(a, "--write-file")) in.write_file(*w, content);
    else if (value_of(a, "--content")) continue;
    else if (auto s = value_of(a, "--stat")) in.stat_path(*s);
    else if (auto u = value_of(a, "--try-umount")) in.try_umount(*u);
    else if (auto e = value_of(a, "--exit-code")) exit_code = std::atoi(e->c_str());
    else if (auto sl = value_of(a, "--sleep")) Inspector::sleep_for(std::atof(sl->c_str()));
    else if (auto st = value_of(a, "--notify")) in.notify(*st);
    else if (a == "--echo-stdin") in.echo_stdin();
    else if (a == "--accept-listen-fd") in.accept_listen_fd();
    else if (a == "--try-chroot-escape") in.try_chroot_escape();
    else if (a == "--check-dev") in.check_dev();
    else {
      std::fprintf(stderr, "inspect: unknown flag %s\n", a.c_str());
      return 2;
    }
    std::fflush(stdout);
  }
  std::fflush(stdout);
  if (exit_code) return *exit_code;
  return in.failures ? 1 : 0;
}
