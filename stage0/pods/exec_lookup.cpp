#include "stage0/pods/exec_lookup.hpp"

#include <sys/stat.h>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::pods {

std::optional<std::string> find_program_in_layers(const std::vector<std::string>& layers,
                                                  const std::string& name,
                                                  const std::string& path_env) {
  for (const auto& dir : split(path_env, ':')) {
    if (dir.empty() || dir.front() != '/') continue;  // a relative PATH entry means nothing here
    std::string inside = std::string(dir) + "/" + name;
    for (const auto& layer : layers) {
      struct stat st{};
      if (::lstat((layer + inside).c_str(), &st) != 0) continue;  // not in this layer: look below
      if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && (st.st_mode & 0111))) return inside;
      break;  // a whiteout, a directory or a plain file shadows the layers below
    }
  }
  return std::nullopt;
}

std::optional<std::string> find_program_in_image(const std::string& rootfs, const std::string& name,
                                                 const std::string& path_env) {
  return find_program_in_layers({rootfs}, name, path_env);
}

std::string resolve_exec(const std::string& program, const std::string& path_env,
                         const std::string& image, const std::vector<std::string>& layers) {
  if (program.empty() || program.front() == '/') return program;
  if (program.find('/') != std::string::npos) {
    Error e("--exec \"" + program + "\" is a relative path");
    e.set_hint("give an absolute path in the image, or a program name looked up in the app's PATH");
    throw e;
  }
  auto found = find_program_in_layers(layers, program, path_env);
  if (!found) {
    Error e("--exec: program \"" + program + "\" not found in the app's PATH (" + path_env +
            ") in image " + image);
    e.set_hint("give the program's absolute path in the image with --exec");
    throw e;
  }
  return *found;
}

std::string resolve_exec(const std::string& program, const std::string& path_env,
                         const std::string& image, const std::string& rootfs) {
  return resolve_exec(program, path_env, image, std::vector<std::string>{rootfs});
}

}  // namespace pod::pods
