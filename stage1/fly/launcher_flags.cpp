#include "stage1/fly/launcher_flags.hpp"

#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/fly/layout.hpp"

namespace pod::stage1::fly {
namespace {
std::string flags_file(const PodLayout& pod) { return pod.stage1_state_dir(kFlavor) + "/launcher-flags"; }
}  // namespace

void save_launcher_flags(const PodLayout& pod, const std::vector<std::string>& flags) {
  make_dirs(pod.stage1_state_dir(kFlavor));
  std::string text;
  for (const auto& f : flags) text += f + "\n";
  write_file_atomic(flags_file(pod), text, 0644, /*durable=*/false);
}

std::vector<std::string> load_launcher_flags(const PodLayout& pod) {
  std::vector<std::string> out;
  if (!path_exists(flags_file(pod))) return out;
  for (auto& line : split(read_file(flags_file(pod)), '\n')) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace pod::stage1::fly
