// A program name given as --exec (rkt allowed that) looked up in the app's PATH inside the
// image, at prepare time: the pod manifest carries an absolute path, as appc requires.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pod::pods {

// The PATH an app gets when its environment sets none (stage2 sets the same).
inline constexpr const char* kAppDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The absolute path inside `rootfs` of program `name` along `path_env`: the first entry
// that exists as a symlink or an executable regular file. Symlinks are not followed (they
// point inside the image, not the host).
[[nodiscard]] std::optional<std::string> find_program_in_image(const std::string& rootfs,
                                                               const std::string& name,
                                                               const std::string& path_env);

// `program` made absolute when it is a bare name; an absolute path is returned as it is.
// Throws naming `image`, the program and the PATH searched when it is not there, and for
// a relative path with a slash (which has no meaning before the app's working directory).
[[nodiscard]] std::string resolve_exec(const std::string& program, const std::string& path_env,
                                       const std::string& image, const std::string& rootfs);

// The same through a stack of layer trees (an OCI image), topmost first: a path is what
// the highest layer holding it says, and an overlay whiteout there hides the lower ones.
[[nodiscard]] std::optional<std::string> find_program_in_layers(const std::vector<std::string>& layers,
                                                                const std::string& name,
                                                                const std::string& path_env);
[[nodiscard]] std::string resolve_exec(const std::string& program, const std::string& path_env,
                                       const std::string& image,
                                       const std::vector<std::string>& layers);

}  // namespace pod::pods
