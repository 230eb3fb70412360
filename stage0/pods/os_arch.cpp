#include "stage0/pods/os_arch.hpp"

#include "common/error.hpp"

namespace pod::pods {

std::string_view host_appc_arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__i386__)
  return "i386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__s390x__)
  return "s390x";
#else
  return "unknown";
#endif
}

void check_runnable_os_arch(const aci::ImageManifest& image) {
  with_context("image " + image.name, [&] {
    auto os = image.labels.get("os");
    if (!os)
      throw Error("missing os label in the image manifest", 0,
                  "add {\"name\": \"os\", \"value\": \"linux\"} to the image's labels");
    auto arch = image.labels.get("arch");
    if (!arch)
      throw Error("missing arch label in the image manifest", 0,
                  "add {\"name\": \"arch\", \"value\": \"" + std::string(host_appc_arch()) +
                      "\"} to the image's labels");
    if (*os != "linux")
      throw Error("bad os \"" + *os + "\" (must be one of: linux)", 0,
                  "this image is built for another operating system");
    if (*arch != host_appc_arch())
      throw Error("bad arch \"" + *arch + "\" for linux (must be one of: " +
                      std::string(host_appc_arch()) + ")",
                  0, "this image is built for another architecture");
  });
}

}  // namespace pod::pods
