#include "stage0/cli/service_exec.hpp"

#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::cli {

void exec_service(const std::string& binary, const std::string& build_subdir, const std::vector<std::string>& args) {
  std::vector<std::string> all{binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> candidates;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir = parent_dir(std::string(self, static_cast<size_t>(n)));
    candidates.push_back(dir + "/" + binary);
    candidates.push_back(parent_dir(dir) + "/" + build_subdir + "/" + binary);
  }
  std::vector<std::string> tried;
  for (const auto& path : candidates) {
    ::execv(path.c_str(), argv.data());
    tried.push_back(path);
  }
  ::execvp(binary.c_str(), argv.data());
  tried.push_back("$PATH");
  throw Error(binary + " is not installed: looked in " + join(tried, ", "), errno,
              "install " + binary + " beside the pod binary");
}

}  // namespace pod::cli
