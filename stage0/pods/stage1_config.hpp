// Which stage1 image a pod uses: --stage1-{name,path,url,hash,from-dir}, else the
// configured default (stage1.d/*.json, rkt's format), else the flavor built in
// (kDefaultStage1Flavor) as stage1-<flavor>.aci next to the binary or where installed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pod::pods {

struct Stage1Selection {
  enum class Kind { none, name, path, url, hash, from_dir };
  Kind kind = Kind::none;
  std::string value;
};

// rkt's {"rktKind":"stage1","rktVersion":"v1","name":..,"version":..,"location":..}.
struct Stage1Default {
  std::string name;      // image name, e.g. "coreos.com/rkt/stage1-fly"
  std::string version;   // its version label
  std::string location;  // absolute path or URL of the ACI, used when the store lacks it
  std::string source;    // the file it was read from
};

// Parses one stage1.d file; nullopt for files of another rktKind. Throws naming `source`.
[[nodiscard]] std::optional<Stage1Default> parse_stage1_config(std::string_view text,
                                                               const std::string& source);
// Reads <system>/stage1.d then <local>/stage1.d; the local configuration wins.
[[nodiscard]] std::optional<Stage1Default> load_stage1_default(const std::string& system_config,
                                                               const std::string& local_config);

// rkt's paths.d: {"rktKind":"paths","rktVersion":"v1","stage1-images":DIR}. The directory
// holding stage1 images: the configured one, else the installed kStage1ImagesDir.
[[nodiscard]] std::string stage1_images_dir(const std::string& system_config,
                                            const std::string& local_config);

// Where to look for the built-in default stage1, in order: the build tree
// (<dir of the pod binary>/../stage1-images), then the installed directory.
// The directory holding `path` when it is one where the stage1 images installed with pod
// live (`images_dir`, or the build tree's stage1-images beside this binary); images there
// are trusted by their location, as rkt trusted its own, others are verified like any
// image. Symlinks and ".." are resolved first. Empty when `path` is elsewhere.
[[nodiscard]] std::string trusted_stage1_dir(const std::string& path, const std::string& images_dir);

[[nodiscard]] std::vector<std::string> builtin_stage1_candidates(const std::string& images_dir);

}  // namespace pod::pods
