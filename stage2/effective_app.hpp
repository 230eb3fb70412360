// The app as it will run: the image manifest's app section with the pod manifest's
// runtime app laid over it. stage0 writes overrides from the command line (--exec,
// --user, --caps-retain, ...) into the pod manifest; stage1 flavors and the launcher
// must agree on the result, so the merge lives in one place.
#pragma once

#include <optional>
#include <string>

#include "aci/manifest.hpp"

namespace pod::stage2 {

// Field by field, the runtime app wins where it says something: exec, user, group,
// workingDirectory, supplementaryGIDs, mountPoints, ports and event handlers replace the
// image's when non-empty; environment variables are merged (runtime values win); an
// isolator in the runtime app replaces the image's isolators of the same kind (a runtime
// capabilities-retain-set drops the image's capabilities-remove-set too, as rkt's
// --caps-retain replaces every capability setting of the image).
// `app_name` names the app in errors. Throws Error when neither manifest has an app or
// the merged app has no exec.
[[nodiscard]] aci::App effective_app(const aci::ImageManifest& image,
                                     const aci::RuntimeApp* runtime, const std::string& app_name);

// Isolators that are the same kind for the purpose of overriding ("capabilities" for both
// capabilities sets, "seccomp" for both seccomp sets, else the isolator name itself).
[[nodiscard]] std::string isolator_kind(const std::string& isolator_name);

}  // namespace pod::stage2
