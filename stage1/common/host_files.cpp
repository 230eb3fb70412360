#include "stage1/common/host_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage1/common/in_root.hpp"
#include "stage1/common/mounting.hpp"

namespace pod::stage1 {
namespace {

// True when the image has the file with some content (then it is the image's choice).
bool image_has_file(int rootfd, const std::string& path) {
  UniqueFd fd = try_open_in_root(rootfd, path, O_PATH);
  if (!fd) return false;
  struct stat st{};
  if (fstat(fd.get(), &st) != 0) return false;
  return !S_ISREG(st.st_mode) || st.st_size > 0;
}

void bind_file(int rootfd, const std::string& source, const std::string& target) {
  UniqueFd src = open_fd(source, O_PATH);
  UniqueFd dst = make_file_in_root(rootfd, target);
  bind_mount(src.get(), dst.get(), BindOptions{false, true}, "binding " + source + " to " + target);
}

}  // namespace

std::string resolv_conf_for(const std::vector<std::string>& servers) {
  std::string out;
  for (const auto& s : servers) out += "nameserver " + s + "\n";
  return out;
}

void setup_host_files(int rootfd, const HostFilesOptions& options) {
  with_context("setting up /etc/resolv.conf", [&] {
    const bool dns_host = options.dns == std::vector<std::string>{"host"};
    const bool dns_none = options.dns == std::vector<std::string>{"none"};
    if (dns_none) return;  // rkt's --dns=none: the image's file, as it is
    if (dns_host) {
      // rkt's --dns=host: the host's file even over the image's own.
      bind_file(rootfd, "/etc/resolv.conf", "/etc/resolv.conf");
    } else if (!options.dns.empty()) {
      make_dirs(options.generated_dir);
      std::string generated = path_join(options.generated_dir, "resolv.conf");
      write_file_atomic(generated, resolv_conf_for(options.dns));
      bind_file(rootfd, generated, "/etc/resolv.conf");
    } else if (!image_has_file(rootfd, "/etc/resolv.conf") && path_exists("/etc/resolv.conf")) {
      bind_file(rootfd, "/etc/resolv.conf", "/etc/resolv.conf");
    }
  });
  with_context("setting up /etc/hosts", [&] {
    if (!image_has_file(rootfd, "/etc/hosts") && path_exists("/etc/hosts"))
      bind_file(rootfd, "/etc/hosts", "/etc/hosts");
  });
}

}  // namespace pod::stage1
