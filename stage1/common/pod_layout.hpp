// Where things are in a pod directory (Documentation/stage1-abi.md). Entry points run
// with the pod directory as working directory; paths here are absolute, because
// enter's setns(2) and the launcher's chroot(2) leave the working directory behind.
#pragma once

#include <string>

namespace pod::stage1 {

class PodLayout {
 public:
  // From the current working directory.
  [[nodiscard]] static PodLayout from_cwd();
  explicit PodLayout(std::string pod_dir) : dir_(std::move(pod_dir)) {}

  [[nodiscard]] const std::string& dir() const noexcept { return dir_; }
  [[nodiscard]] std::string pod_manifest() const { return dir_ + "/pod"; }
  [[nodiscard]] std::string pid_file() const { return dir_ + "/pid"; }
  [[nodiscard]] std::string stage1_rootfs() const { return dir_ + "/stage1/rootfs"; }
  [[nodiscard]] std::string app_manifest(const std::string& app) const {
    return dir_ + "/appsinfo/" + app + "/manifest";
  }
  [[nodiscard]] std::string app_rootfs(const std::string& app) const {
    return stage1_rootfs() + "/opt/stage2/" + app + "/rootfs";
  }
  [[nodiscard]] std::string status_dir() const { return stage1_rootfs() + "/rkt/status"; }
  [[nodiscard]] std::string status_file(const std::string& app) const {
    return status_dir() + "/" + app;
  }
  // The stage1 flavor's own state inside its rootfs (so it lands in overlay/stage1/upper).
  [[nodiscard]] std::string stage1_state_dir(const std::string& flavor) const {
    return stage1_rootfs() + "/rkt/" + flavor;
  }

 private:
  std::string dir_;
};

}  // namespace pod::stage1
