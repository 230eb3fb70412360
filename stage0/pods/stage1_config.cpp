#include "stage0/pods/stage1_config.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/version.hpp"

namespace pod::pods {

namespace {

std::string kind_of(const nlohmann::json& j) {
  if (j.contains("rktKind") && j["rktKind"].is_string()) return j["rktKind"];
  if (j.contains("podKind") && j["podKind"].is_string()) return j["podKind"];
  return {};
}

std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> out;
  if (!is_directory(dir)) return out;
  for (const auto& name : list_dir(dir))
    if (ends_with(name, ".json")) out.push_back(path_join(dir, name));
  return out;
}

nlohmann::json parse_config_json(std::string_view text, const std::string& source) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    Error e("reading configuration " + source + ": not a JSON object");
    e.set_hint("fix or remove the file");
    throw e;
  }
  return j;
}

}  // namespace

std::optional<Stage1Default> parse_stage1_config(std::string_view text, const std::string& source) {
  auto j = parse_config_json(text, source);
  if (kind_of(j) != "stage1") return std::nullopt;
  Stage1Default d;
  d.source = source;
  auto str = [&](const char* key) {
    if (!j.contains(key)) return std::string();
    if (!j[key].is_string())
      throw Error("reading configuration " + source + ": \"" + key + "\" must be a string");
    return j[key].get<std::string>();
  };
  d.name = str("name");
  d.version = str("version");
  d.location = str("location");
  if (d.name.empty() && d.location.empty())
    throw Error("reading configuration " + source + ": a stage1 entry needs \"name\" or \"location\"");
  if (!d.name.empty() && d.version.empty())
    throw Error("reading configuration " + source + ": \"version\" is required with \"name\"");
  return d;
}

std::optional<Stage1Default> load_stage1_default(const std::string& system_config,
                                                 const std::string& local_config) {
  std::optional<Stage1Default> out;
  for (const auto& dir : {system_config, local_config}) {
    for (const auto& file : json_files(path_join(dir, "stage1.d"))) {
      if (auto d = parse_stage1_config(read_file(file), file)) out = d;
    }
  }
  return out;
}

std::string stage1_images_dir(const std::string& system_config, const std::string& local_config) {
  std::string dir = kStage1ImagesDir;
  for (const auto& cfg : {system_config, local_config}) {
    for (const auto& file : json_files(path_join(cfg, "paths.d"))) {
      auto j = parse_config_json(read_file(file), file);
      if (kind_of(j) == "paths" && j.contains("stage1-images") && j["stage1-images"].is_string())
        dir = j["stage1-images"].get<std::string>();
    }
  }
  return dir;
}

namespace {

std::optional<std::string> canonical(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return std::nullopt;
  return std::string(buf);
}

}  // namespace

std::string trusted_stage1_dir(const std::string& path, const std::string& images_dir) {
  auto real = canonical(path);
  if (!real) return {};
  for (const auto& candidate : builtin_stage1_candidates(images_dir)) {
    auto dir = canonical(candidate.substr(0, candidate.rfind('/')));
    if (dir && starts_with(*real, *dir + "/")) return *dir;
  }
  return {};
}

std::vector<std::string> builtin_stage1_candidates(const std::string& images_dir) {
  std::string file = std::string("stage1-") + kDefaultStage1Flavor + ".aci";
  std::vector<std::string> out;
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string self(exe, static_cast<size_t>(n));
    std::string bin_dir = self.substr(0, self.rfind('/'));
    // In the build tree the binary is <build>/stage0/pod and the images <build>/stage1-images.
    out.push_back(bin_dir + "/../stage1-images/" + file);
  }
  out.push_back(path_join(images_dir, file));
  return out;
}

}  // namespace pod::pods
