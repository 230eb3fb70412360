#include "stage0/pods/os_arch.hpp"

#include "aci/names.hpp"
#include "common/error.hpp"

namespace pod::pods {

void check_runnable_os_arch(const aci::ImageManifest& image) {
  with_context("image " + image.name, [&] {
    const std::string host_arch = aci::default_arch();
    auto os = image.labels.get("os");
    if (!os)
      throw Error("missing os label in the image manifest", 0,
                  "add {\"name\": \"os\", \"value\": \"linux\"} to the image's labels");
    auto arch = image.labels.get("arch");
    if (!arch)
      throw Error("missing arch label in the image manifest", 0,
                  "add {\"name\": \"arch\", \"value\": \"" + host_arch +
                      "\"} to the image's labels");
    if (*os != "linux")
      throw Error("bad os \"" + *os + "\" (must be one of: linux)", 0,
                  "this image is built for another operating system");
    if (*arch != host_arch)
      throw Error("bad arch \"" + *arch + "\" for linux (must be one of: " +
                      host_arch + ")",
                  0, "this image is built for another architecture");
  });
}

}  // namespace pod::pods
