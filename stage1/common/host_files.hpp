// /etc/resolv.conf and /etc/hosts of an app sharing the host's network (fly): the
// host's files, read-only, where the image brings none (or an empty one), and a
// resolv.conf of --dns servers when any were given.
#pragma once

#include <string>
#include <vector>

namespace pod::stage1 {

struct HostFilesOptions {
  // --dns servers; empty: the host's resolv.conf where the image has none; {"host"}: the
  // host's always; {"none"}: the image's, untouched (rkt's special values).
  std::vector<std::string> dns;
  std::string generated_dir;     // where a generated resolv.conf is written (stage1's own tree)
};

void setup_host_files(int rootfd, const HostFilesOptions& options);

// "nameserver A\nnameserver B\n".
[[nodiscard]] std::string resolv_conf_for(const std::vector<std::string>& servers);

}  // namespace pod::stage1
