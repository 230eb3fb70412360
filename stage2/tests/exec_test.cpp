#include <doctest/doctest.h>

#include <map>

#include "stage2/exec.hpp"
#include "stage2/launcher_options.hpp"

using namespace pod;
using namespace pod::stage2;

namespace {
std::function<FileKind(const std::string&)> tree(std::map<std::string, FileKind> files) {
  return [files](const std::string& p) {
    auto it = files.find(p);
    return it == files.end() ? FileKind::missing : it->second;
  };
}
}  // namespace

TEST_CASE("programs are looked up in the app's PATH in order") {
  auto fs = tree({{"/usr/bin/sh", FileKind::executable}, {"/bin/sh", FileKind::executable}});
  CHECK(resolve_program("sh", "/usr/local/bin:/usr/bin:/bin", "a", fs) == "/usr/bin/sh");
  CHECK(resolve_program("/bin/sh", "", "a", fs) == "/bin/sh");
}

TEST_CASE("a missing program is 127, a non-executable one 126") {
  auto fs = tree({{"/bin/data", FileKind::not_executable}});
  try {
    (void)resolve_program("/nope", "/bin", "web", fs);
    FAIL("expected ExecError");
  } catch (const ExecError& e) {
    CHECK(e.exit_code() == 127);
    CHECK(std::string(e.what()).find("web") != std::string::npos);
    CHECK(std::string(e.what()).find("/nope") != std::string::npos);
  }
  try {
    (void)resolve_program("data", "/usr/bin:/bin", "web", fs);
    FAIL("expected ExecError");
  } catch (const ExecError& e) {
    CHECK(e.exit_code() == 126);
    CHECK(std::string(e.what()).find("/bin/data") != std::string::npos);
  }
  try {
    (void)resolve_program("ghost", "/bin", "web", fs);
    FAIL("expected ExecError");
  } catch (const ExecError& e) {
    CHECK(e.exit_code() == 127);
  }
}

TEST_CASE("launcher options") {
  auto o = parse_launcher_options({"--pod-dir=/p", "--app=web", "--root=/r", "--disable-seccomp",
                                   "--rlimit=NOFILE=10:20", "--", "-x", "--y"});
  CHECK(o.pod_dir == "/p");
  CHECK(o.app == "web");
  CHECK(o.disable_seccomp);
  CHECK(o.rlimits.size() == 1);
  CHECK(o.extra_args == std::vector<std::string>{"-x", "--y"});
  CHECK_THROWS_AS((void)parse_launcher_options({"--app=web", "--root=/r"}), UsageError);
  CHECK_THROWS_AS((void)parse_launcher_options({"--pod-dir=/p", "--app=web", "--root=/r", "--bogus"}),
                  UsageError);
  CHECK_THROWS_AS((void)parse_launcher_options({"--pod-manifest=/p", "--app=w", "--root=/r"}),
                  UsageError);
}
