// Paths inside the stage1-fly image's rootfs (see stage1/fly/CMakeLists.txt, which
// builds it, and Documentation/stage1-fly.md).
#pragma once

namespace pod::stage1::fly {

inline constexpr const char* kLauncherPath = "/fly/launcher";  // the stage2 launcher
inline constexpr const char* kFlavor = "fly";

}  // namespace pod::stage1::fly
