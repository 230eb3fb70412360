#include "stage2/exec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/strings.hpp"

namespace pod::stage2 {

FileKind classify_file(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return FileKind::missing;
  if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) return FileKind::not_executable;
  return FileKind::executable;
}

std::optional<std::pair<std::string, FileKind>> find_in_path(
    std::string_view name, std::string_view path_env,
    const std::function<FileKind(const std::string&)>& classify) {
  std::optional<std::pair<std::string, FileKind>> non_executable;
  for (const auto& dir : split(path_env, ':')) {
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + std::string(name);
    FileKind kind = classify(candidate);
    if (kind == FileKind::executable) return std::make_pair(candidate, kind);
    if (kind == FileKind::not_executable && !non_executable) non_executable = {candidate, kind};
  }
  return non_executable;
}

std::string resolve_program(const std::string& exec0, const std::string& path_env,
                            const std::string& app_name,
                            const std::function<FileKind(const std::string&)>& classify) {
  std::string program = exec0;
  FileKind kind;
  if (exec0.find('/') == std::string::npos) {
    auto found = find_in_path(exec0, path_env, classify);
    if (!found) {
      ExecError err("app " + app_name + ": " + exec0 + " not found in the app's PATH (" + path_env +
                        ")",
                    ENOENT, kExitNotFound);
      err.set_hint("give the program's absolute path in the image's exec (or with --exec)");
      throw err;
    }
    program = found->first;
    kind = found->second;
  } else {
    kind = classify(exec0);
  }
  if (kind == FileKind::missing) {
    ExecError err("app " + app_name + ": executing " + program + " in the app's rootfs", ENOENT,
                  kExitNotFound);
    err.set_hint("check the image's exec path (or --exec); the image may lack the program");
    throw err;
  }
  if (kind == FileKind::not_executable) {
    ExecError err("app " + app_name + ": executing " + program +
                      " in the app's rootfs: not a regular file with execute permission",
                  EACCES, kExitNotExecutable);
    err.set_hint("chmod +x the program in the image, or point exec at the right file");
    throw err;
  }
  return program;
}

void execute(const std::string& program, const std::vector<std::string>& argv,
             const std::vector<std::string>& envp, const std::string& app_name) {
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  std::vector<char*> c_envp;
  for (const auto& e : envp) c_envp.push_back(const_cast<char*>(e.c_str()));
  c_envp.push_back(nullptr);
  execve(program.c_str(), c_argv.data(), c_envp.data());
  int err = errno;
  int code = err == ENOENT || err == ENOTDIR ? kExitNotFound : kExitNotExecutable;
  throw ExecError("app " + app_name + ": executing " + program, err, code);
}

}  // namespace pod::stage2
