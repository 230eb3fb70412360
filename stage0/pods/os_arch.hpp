// The os and arch labels an image must carry to run here, checked before a pod is made
// (rkt's rule and words, which its users' scripts match).
#pragma once

#include "aci/manifest.hpp"

namespace pod::pods {

// Throws Error naming the image: "missing os label in the image manifest", "bad os
// \"freebsd\" (must be one of: linux)", "bad arch \"armv5l\" for linux (must be one of:
// amd64)".
void check_runnable_os_arch(const aci::ImageManifest& image);

}  // namespace pod::pods
